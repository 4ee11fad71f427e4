// User management's rules over a fake user pool: one role per account, and no admin can demote or disable themselves.
import { describe, expect, it } from 'vitest';
import type { UserGroup } from '../../../infra/platform.js';
import { changeUserRole, decideRoleChange, listUsers, setUserEnabled, type ManagedUser, type UserDirectory } from '../../../shared/admin/users.js';
import { NotFound, RuleViolation } from '../../../shared/errors.js';

function fakeDirectory(users: ManagedUser[]) {
  const byName = new Map(users.map((u) => [u.username, structuredClone(u)]));
  const calls: string[] = [];
  const directory: UserDirectory = {
    async list({ emailPrefix, limit }) {
      return [...byName.values()].filter((u) => !emailPrefix || u.email.startsWith(emailPrefix)).slice(0, limit).map((u) => structuredClone(u));
    },
    async get(username) {
      const u = byName.get(username);
      return u && structuredClone(u);
    },
    async addToGroup(username, group) {
      calls.push(`add ${username} ${group}`);
      byName.get(username)!.roles.push(group);
    },
    async removeFromGroup(username, group) {
      calls.push(`remove ${username} ${group}`);
      const u = byName.get(username)!;
      u.roles = u.roles.filter((r) => r !== group);
    },
    async setEnabled(username, enabled) {
      calls.push(`${enabled ? 'enable' : 'disable'} ${username}`);
      byName.get(username)!.enabled = enabled;
    },
  };
  return { directory, calls };
}

const user = (name: string, roles: UserGroup[], enabled = true): ManagedUser => ({ username: name, userId: `sub-${name}`, email: `${name}@dpm.test`, roles, enabled, status: 'CONFIRMED' });
const admin = { username: 'ada', userId: 'sub-ada' };

describe('user management', () => {
  it('given a customer, when an admin makes them a designer, then the new role is added before the old one goes', async () => {
    const { directory, calls } = fakeDirectory([user('ada', ['admin']), user('bob', ['customer'])]);
    const after = await changeUserRole({ actor: admin, username: 'bob', role: 'designer' }, { directory });
    expect(after.roles).toEqual(['designer']);
    expect(calls).toEqual(['add bob designer', 'remove bob customer']);
  });

  it('given a role the account already has alone, when it is given again, then nothing is called', async () => {
    const { directory, calls } = fakeDirectory([user('ada', ['admin']), user('bob', ['customer'])]);
    await changeUserRole({ actor: admin, username: 'bob', role: 'customer' }, { directory });
    expect(calls).toEqual([]);
  });

  it('refuses an admin removing their own admin role, by username or by id, and changes nothing', async () => {
    const { directory, calls } = fakeDirectory([user('ada', ['admin'])]);
    await expect(changeUserRole({ actor: admin, username: 'ada', role: 'customer' }, { directory })).rejects.toThrow(RuleViolation);
    expect(() => decideRoleChange({ username: 'other-alias', userId: 'sub-ada' }, user('ada', ['admin']), 'designer')).toThrow(/your own admin role/);
    expect(calls).toEqual([]);
  });

  it('lets an admin keep admin (extra roles go) and demote another admin', async () => {
    const { directory } = fakeDirectory([user('ada', ['admin', 'customer']), user('eve', ['admin'])]);
    expect((await changeUserRole({ actor: admin, username: 'ada', role: 'admin' }, { directory })).roles).toEqual(['admin']);
    expect((await changeUserRole({ actor: admin, username: 'eve', role: 'customer' }, { directory })).roles).toEqual(['customer']);
  });

  it('refuses an admin disabling themselves, but lets them disable and enable someone else', async () => {
    const { directory, calls } = fakeDirectory([user('ada', ['admin']), user('bob', ['customer'])]);
    await expect(setUserEnabled({ actor: admin, username: 'ada', enabled: false }, { directory })).rejects.toThrow(/cannot disable your own account/);
    expect((await setUserEnabled({ actor: admin, username: 'bob', enabled: false }, { directory })).enabled).toBe(false);
    expect((await setUserEnabled({ actor: admin, username: 'bob', enabled: true }, { directory })).enabled).toBe(true);
    expect(calls).toEqual(['disable bob', 'enable bob']);
  });

  it('answers NotFound for an account that does not exist', async () => {
    const { directory } = fakeDirectory([user('ada', ['admin'])]);
    await expect(changeUserRole({ actor: admin, username: 'nobody', role: 'customer' }, { directory })).rejects.toThrow(NotFound);
    await expect(setUserEnabled({ actor: admin, username: 'nobody', enabled: false }, { directory })).rejects.toThrow(NotFound);
  });

  it('lists accounts by e-mail, filtered by prefix', async () => {
    const { directory } = fakeDirectory([user('zed', ['customer']), user('ada', ['admin']), user('bob', ['designer'])]);
    expect((await listUsers({ limit: 60 }, { directory })).users.map((u) => u.username)).toEqual(['ada', 'bob', 'zed']);
    expect((await listUsers({ q: 'bo', limit: 60 }, { directory })).users.map((u) => u.username)).toEqual(['bob']);
  });
});
