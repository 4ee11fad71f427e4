// The operator's payouts: per printer, what delivered orders paid (the printing fee and the shipping, transferred to
// the operator's payout account when each order is delivered), with the statement lines that add up to it.
import { Link } from 'react-router';
import { call } from '../api/client';
import { RequireRole } from '../app/guards';
import { AsyncView, money, useAsync, when } from '../ui/kit';
import type { MyPrinterView, PaymentAccount } from './api';
import './printer.css';

export function Payouts() {
  return (
    <RequireRole roles={['printer']}>
      <PayoutsPage />
    </RequireRole>
  );
}

const stepLabel: Record<string, string> = { release: 'Order delivered: fee and shipping', refund: 'Refund' };

function PayoutsPage() {
  const state = useAsync(async (signal) => {
    const [accounts, printers] = await Promise.all([call<PaymentAccount[]>('GET /me/payments', { signal }), call<MyPrinterView[]>('GET /me/printers', { signal })]);
    const names = new Map(printers.map((p) => [p.printerId, p.name]));
    return accounts
      .filter((a) => a.account.startsWith('printer:'))
      .map((a) => {
        const printerId = a.account.slice('printer:'.length).replace(/:payouts$/, '');
        return { ...a, printerId, name: names.get(printerId) ?? printerId };
      });
  }, []);
  return (
    <>
      <p>
        <Link to="/printer">← Your printers</Link>
      </p>
      <h1>Payouts</h1>
      <AsyncView state={state} label="Loading your payouts…">
        {(accounts) => {
          const total = accounts.reduce((n, a) => n + a.balanceCents, 0);
          return (
            <>
              <section className="card" aria-labelledby="payout-total">
                <h2 id="payout-total">Paid out so far: {money(total)}</h2>
                <p className="muted">
                  When a customer’s delivery is confirmed, the escrow is split and your printing fee and the shipping go to your payout account. Orders still
                  printing or on their way are not here yet.
                </p>
              </section>
              {accounts.length === 0 && <p>No printers, so no payouts yet.</p>}
              {accounts.map((a) => (
                <section className="card" key={a.account} aria-labelledby={`payout-${a.printerId}`}>
                  <header className="card-head">
                    <h2 id={`payout-${a.printerId}`}>{a.name}</h2>
                    <span className="amount">{money(a.balanceCents)}</span>
                  </header>
                  {a.lines.length === 0 ? (
                    <p className="muted">No delivered orders yet.</p>
                  ) : (
                    <div className="table-wrap">
                      <table>
                        <caption className="visually-hidden">Statement of {a.name}</caption>
                        <thead>
                          <tr>
                            <th scope="col">Date</th>
                            <th scope="col">Order</th>
                            <th scope="col">What</th>
                            <th scope="col" className="num">
                              Amount
                            </th>
                          </tr>
                        </thead>
                        <tbody>
                          {[...a.lines].reverse().map((l) => (
                            <tr key={`${l.orderId}-${l.step}`}>
                              <td>{when(l.at)}</td>
                              <td>
                                <code>{l.orderId}</code>
                              </td>
                              <td>{stepLabel[l.step] ?? l.step}</td>
                              <td className="num">{money(l.amountCents)}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                      {a.earlierLinesOmitted && <p className="muted">The latest {a.lines.length} lines are shown; earlier ones are counted in the balance.</p>}
                    </div>
                  )}
                </section>
              ))}
            </>
          );
        }}
      </AsyncView>
    </>
  );
}
