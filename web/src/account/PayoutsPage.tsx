// /payouts: where a designer's royalties and an operator's printing fees are paid. The account is a Stripe Express
// connected account (a local stand-in on the embedded platform); Stripe's onboarding returns here
// (/payouts/onboarding/return), or to /payouts/onboarding/refresh when its link expired, which asks for a fresh one.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useLocation } from 'react-router';
import { call } from '../api/client';
import { RequireRole } from '../app/guards';
import { Button, Card, ErrorMessage, Field, Loading, useAsync, when } from '../ui/kit';
import type { payoutAccountView } from '../../../shared/payments/payout-accounts';
import './account.css';

type PayoutAccountView = ReturnType<typeof payoutAccountView>;
type Opened = { account: PayoutAccountView; onboarding: { url: string; expiresAt: string } };

export function Component() {
  return (
    <RequireRole roles={['designer', 'printer']}>
      <Payouts />
    </RequireRole>
  );
}

/** The account, or `null` when the caller has none yet. */
function loadAccount(signal: AbortSignal): Promise<PayoutAccountView | null> {
  return call<PayoutAccountView | null, 'GET /me/payout-account'>('GET /me/payout-account', { signal });
}

function Payouts() {
  const { pathname } = useLocation();
  const returned = pathname.endsWith('/onboarding/return');
  const expired = pathname.endsWith('/onboarding/refresh');
  const account = useAsync(loadAccount, []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [countryError, setCountryError] = useState<string>();

  async function open(country: string) {
    setBusy(true);
    setError(undefined);
    try {
      const opened = await call<Opened, 'POST /me/payout-account'>('POST /me/payout-account', { body: { country } });
      // Onboarding happens on the provider's pages; it sends the browser back to /payouts/onboarding/return.
      window.location.assign(opened.onboarding.url);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  // An expired onboarding link: ask for a fresh one at once, for the account that exists.
  const refreshed = useRef(false);
  useEffect(() => {
    if (expired && account.data && !refreshed.current) {
      refreshed.current = true;
      void open(account.data.country);
    }
  }, [expired, account.data]);

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const country = String(new FormData(e.currentTarget).get('country') ?? '').trim().toUpperCase();
    if (!/^[A-Z]{2}$/.test(country)) {
      setCountryError('Enter the two-letter code of your country, for example FR or DE.');
      return;
    }
    setCountryError(undefined);
    void open(country);
  }

  if (account.error && account.data === undefined) return <ErrorMessage error={account.error} onRetry={account.reload} />;
  if (account.data === undefined) return <Loading label="Loading your payout account…" />;
  const a = account.data;
  return (
    <div className="narrow account-page">
      <h1>Payouts</h1>
      {returned && a && (
        <p className="notice" role="status">
          {a.ready ? 'Your payout account is ready: payments due to you are sent to it.' : 'Thanks. Your payout account still needs details before payments can be sent to it.'}
        </p>
      )}
      {expired && <Loading label="The set-up link expired; opening a fresh one…" />}
      {a ? (
        <Card title="Your payout account">
          <dl className="account-facts">
            <dt>Status</dt>
            <dd>{a.ready ? 'Ready: payments are sent to it' : 'Not ready yet: what you earn is kept for you until it is'}</dd>
            <dt>Country</dt>
            <dd>{a.country}</dd>
            {a.requirementsDue.length > 0 && (
              <>
                <dt>Still needed</dt>
                <dd>{a.requirementsDue.join(', ')}</dd>
              </>
            )}
            <dt>Last update</dt>
            <dd>{when(a.statusAt)}</dd>
          </dl>
          {!a.ready && (
            <Button type="button" busy={busy} onClick={() => void open(a.country)}>
              Continue setting it up
            </Button>
          )}
        </Card>
      ) : (
        <form className="card" onSubmit={submit} aria-labelledby="payout-setup">
          <h2 id="payout-setup">Set up payouts</h2>
          <p>Royalties and printing fees are paid to an account with our payment provider. Until it is ready, what you earn is kept for you.</p>
          <Field label="Country (two-letter code)" name="country" required maxLength={2} autoComplete="country" error={countryError} hint="Where you live or your business is registered, for example FR." />
          <Button type="submit" busy={busy}>
            Set up payouts
          </Button>
        </form>
      )}
      <ErrorMessage error={error} />
    </div>
  );
}
