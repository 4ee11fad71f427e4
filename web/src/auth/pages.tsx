// Log in and sign up. A new account picks its role here; admins and partners are created by admins.
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { Button, ErrorMessage, Field, Select } from '../ui/kit';
import { useSession, type SessionUser } from './session';

function home(user: SessionUser): string {
  if (user.roles.includes('admin')) return '/admin';
  if (user.roles.includes('designer')) return '/designer';
  if (user.roles.includes('printer')) return '/printer';
  if (user.roles.includes('customer')) return '/orders';
  return '/';
}

export function LoginPage() {
  const { login } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      const user = await login(String(form.get('email')), String(form.get('password')));
      const next = params.get('next');
      void navigate(next?.startsWith('/') ? next : home(user));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="card narrow" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
      <h1 id="login-title">Log in</h1>
      <Field label="E-mail" name="email" type="email" autoComplete="username" required autoFocus />
      <Field label="Password" name="password" type="password" autoComplete="current-password" required />
      <ErrorMessage error={error} />
      <Button type="submit" busy={busy}>
        Log in
      </Button>
      <p>
        New here? <Link to="/signup">Create an account</Link>.
      </p>
    </form>
  );
}

export function SignupPage() {
  const { signup } = useSession();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      const user = await signup({
        email: String(form.get('email')),
        password: String(form.get('password')),
        role: String(form.get('role')) as 'designer' | 'customer' | 'printer',
        displayName: String(form.get('displayName')),
      });
      void navigate(home(user));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="card narrow" onSubmit={(e) => void submit(e)} aria-labelledby="signup-title">
      <h1 id="signup-title">Create an account</h1>
      <Select label="I am a" name="role" defaultValue="customer">
        <option value="customer">Customer: I want products printed</option>
        <option value="designer">Designer: I sell designs</option>
        <option value="printer">Printer operator: I print for others</option>
      </Select>
      <Field label="Name shown to others" name="displayName" required maxLength={80} autoComplete="name" />
      <Field label="E-mail" name="email" type="email" autoComplete="email" required />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        minLength={12}
        hint="At least 12 characters, with upper and lower case letters, a digit and a symbol."
      />
      <ErrorMessage error={error} />
      <Button type="submit" busy={busy}>
        Sign up
      </Button>
      <p>
        Already registered? <Link to="/login">Log in</Link>.
      </p>
    </form>
  );
}
