// /admin/users: every account with its role and whether it may sign in; an admin changes a role or disables an
// account after confirming. The API refuses an admin's own demotion or disabling; the page does not offer them.
import { useState, type FormEvent } from 'react';
import { call } from '../api/client';
import type { ManagedUser } from '../../../shared/admin/users';
import { RequireRole } from '../app/guards';
import { useSession, type Role } from '../auth/session';
import { AsyncView, Button, Field, Select, useAsync, when } from '../ui/kit';
import { AdminNav } from './AdminNav';
import { ConfirmDialog } from './ConfirmDialog';
import './admin.css';

const roles: Role[] = ['customer', 'designer', 'printer', 'partner', 'admin'];

export function UsersPage() {
  return (
    <RequireRole roles={['admin']}>
      <Users />
    </RequireRole>
  );
}

type Pending = { kind: 'role'; user: ManagedUser; role: Role } | { kind: 'enabled'; user: ManagedUser; enabled: boolean };

function Users() {
  const { user: me } = useSession();
  const [draft, setDraft] = useState('');
  const [q, setQ] = useState('');
  const list = useAsync((signal) => call<{ users: ManagedUser[] }>('GET /admin/users', { query: { q: q || undefined }, signal }), [q]);
  const [changed, setChanged] = useState<Record<string, ManagedUser>>({});
  const [pending, setPending] = useState<Pending>();
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>();
  const [notice, setNotice] = useState('');

  const search = (e: FormEvent) => {
    e.preventDefault();
    setChanged({});
    setQ(draft.trim());
  };

  const open = (p: Pending) => {
    setActionError(undefined);
    setPending(p);
  };

  const confirm = async () => {
    if (!pending) return;
    setBusy(true);
    setActionError(undefined);
    try {
      const username = pending.user.username;
      const updated =
        pending.kind === 'role'
          ? await call<ManagedUser, 'PUT /admin/users/{username}/role'>('PUT /admin/users/{username}/role', { params: { username }, body: { role: pending.role } })
          : pending.enabled
            ? await call<ManagedUser, 'POST /admin/users/{username}/enable'>('POST /admin/users/{username}/enable', { params: { username } })
            : await call<ManagedUser, 'POST /admin/users/{username}/disable'>('POST /admin/users/{username}/disable', { params: { username } });
      setChanged((c) => ({ ...c, [username]: updated }));
      setNotice(
        pending.kind === 'role'
          ? `${updated.email} is now ${article(pending.role)} ${pending.role}. The new role applies from their next sign-in or session renewal (within an hour).`
          : pending.enabled
            ? `${updated.email} is enabled and can sign in again.`
            : `${updated.email} is disabled and can no longer sign in or renew a session. A session already open ends when its token expires (within an hour).`,
      );
      setPending(undefined);
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <AdminNav />
      <h1>Users</h1>
      <form className="admin-search" role="search" onSubmit={search}>
        <Field label="Search by e-mail" type="search" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="Start of an e-mail address" hint="Matches addresses that start with what you type." />
        <Button type="submit" busy={list.loading && !!list.data}>
          Search
        </Button>
      </form>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <AsyncView state={list} label="Loading the accounts…">
        {({ users }) =>
          users.length === 0 ? (
            <p>{q ? `No account has an e-mail starting with “${q}”.` : 'There are no accounts yet.'}</p>
          ) : (
            <div className="table-wrap">
              <table className="admin-users">
                <caption className="muted">
                  {users.length} account{users.length === 1 ? '' : 's'}
                  {q ? ` starting with “${q}”` : ''}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">E-mail</th>
                    <th scope="col">Role</th>
                    <th scope="col">Status</th>
                    <th scope="col">Since</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {users.map((listed) => {
                    const u = changed[listed.username] ?? listed;
                    const self = me?.userId === u.userId;
                    return (
                      <tr key={u.username}>
                        <td data-label="E-mail">
                          {u.email}
                          {self && <span className="badge badge-you">you</span>}
                        </td>
                        <td data-label="Role">{u.roles.join(', ') || <span className="muted">no role</span>}</td>
                        <td data-label="Status">
                          <span className={`badge ${u.enabled ? 'badge-ok' : 'badge-bad'}`}>{u.enabled ? 'active' : 'disabled'}</span>
                        </td>
                        <td data-label="Since">{when(u.createdAt)}</td>
                        <td>
                          {self ? (
                            <span className="muted">Another admin can change your own account.</span>
                          ) : (
                            <div className="actions">
                              <Button type="button" variant="secondary" aria-label={`Change the role of ${u.email}`} onClick={() => open({ kind: 'role', user: u, role: u.roles[0] ?? 'customer' })}>
                                Change role
                              </Button>
                              <Button
                                type="button"
                                variant={u.enabled ? 'danger' : 'primary'}
                                aria-label={`${u.enabled ? 'Disable' : 'Enable'} ${u.email}`}
                                onClick={() => open({ kind: 'enabled', user: u, enabled: !u.enabled })}
                              >
                                {u.enabled ? 'Disable' : 'Enable'}
                              </Button>
                            </div>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )
        }
      </AsyncView>
      {pending?.kind === 'role' && (
        <ConfirmDialog title={`Change the role of ${pending.user.email}`} confirmLabel="Change role" busy={busy} error={actionError} onConfirm={() => void confirm()} onCancel={() => setPending(undefined)}>
          <p>
            Now: {pending.user.roles.join(', ') || 'no role'}. An account has one role; the new one replaces it from their next sign-in or session renewal (within an
            hour).
          </p>
          <Select label="New role" value={pending.role} onChange={(e) => setPending({ ...pending, role: e.target.value as Role })}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </Select>
        </ConfirmDialog>
      )}
      {pending?.kind === 'enabled' && (
        <ConfirmDialog
          title={`${pending.enabled ? 'Enable' : 'Disable'} ${pending.user.email}?`}
          confirmLabel={pending.enabled ? 'Enable the account' : 'Disable the account'}
          variant={pending.enabled ? 'primary' : 'danger'}
          busy={busy}
          error={actionError}
          onConfirm={() => void confirm()}
          onCancel={() => setPending(undefined)}
        >
          <p>
            {pending.enabled
              ? 'They can sign in again with their password.'
              : 'They can no longer sign in or renew their session. A session already open keeps working until its token expires (within an hour). Their orders, designs and printers stay as they are.'}
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}

function article(role: string) {
  return /^[aeiou]/.test(role) ? 'an' : 'a';
}
