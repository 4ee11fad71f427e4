// /profile: who the platform sees (GET /me) and the profile the caller shows to others, editable (PUT /me).
import { useEffect, useState, type FormEvent } from 'react';
import { call } from '../api/client';
import { Button, Card, ErrorMessage, Field, Loading, TextArea, useAsync, when } from '../ui/kit';
import type { CallerView } from '../../../shared/platform/describe-caller';
import type { Profile } from '../../../shared/profiles/profile';
import { RequireUser } from './RequireUser';
import './account.css';

export function Component() {
  return (
    <RequireUser>
      <Profile />
    </RequireUser>
  );
}

function Profile() {
  const me = useAsync(() => call<CallerView>('GET /me'), []);
  if (me.error && !me.data) return <ErrorMessage error={me.error} onRetry={me.reload} />;
  if (!me.data) return <Loading label="Loading your profile…" />;
  return (
    <div className="narrow account-page">
      <h1>Your profile</h1>
      <Card title="Account">
        <dl className="account-facts">
          <dt>E-mail</dt>
          <dd>{me.data.email ?? me.data.username}</dd>
          <dt>Roles</dt>
          <dd>{me.data.roles.length ? me.data.roles.join(', ') : 'none'}</dd>
          <dt>Account id</dt>
          <dd className="mono">{me.data.userId}</dd>
        </dl>
      </Card>
      <ProfileForm profile={me.data.profile} />
    </div>
  );
}

function ProfileForm({ profile }: { profile: Profile | null }) {
  const [form, setForm] = useState({ displayName: profile?.displayName ?? '', bio: profile?.bio ?? '', location: profile?.location ?? '' });
  const [saved, setSaved] = useState<Profile | null>(profile);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);
  const [nameError, setNameError] = useState<string>();
  useEffect(() => setDone(false), [form]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    if (!form.displayName.trim()) {
      setNameError('Enter the name others will see, for example your first name or your workshop’s.');
      return;
    }
    setNameError(undefined);
    setBusy(true);
    try {
      const next = await call<Profile, 'PUT /me'>('PUT /me', { body: { displayName: form.displayName.trim(), bio: form.bio || undefined, location: form.location || undefined } });
      setSaved(next);
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="What others see">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field label="Name shown to others" name="displayName" required maxLength={80} value={form.displayName} error={nameError} onChange={(e) => setForm({ ...form, displayName: e.target.value })} />
        <Field label="Location" name="location" maxLength={120} hint="A city or region, if you want to show one." value={form.location} onChange={(e) => setForm({ ...form, location: e.target.value })} />
        <TextArea label="About you" name="bio" maxLength={1000} rows={4} value={form.bio} onChange={(e) => setForm({ ...form, bio: e.target.value })} />
        <ErrorMessage error={error} />
        <div className="actions">
          <Button type="submit" busy={busy}>
            {busy ? 'Saving…' : 'Save profile'}
          </Button>
        </div>
        <p role="status" aria-live="polite" className="saved-note">
          {done ? 'Profile saved.' : ''}
        </p>
        {saved && <p className="muted">Last saved {when(saved.updatedAt)}.</p>}
      </form>
    </Card>
  );
}
