// /designer: the designer's dashboard. Royalties (GET /me/payments), their designs with status and prints sold
// (GET /me/designs), and the ratings and feedback they received (GET /me/ratings).
import { Link } from 'react-router';
import { call } from '../api/client';
import { useSession } from '../auth/session';
import { RequireRole } from '../app/guards';
import { AsyncView, Card, ErrorMessage, Loading, money, useAsync, when } from '../ui/kit';
import { StatusBadge, Stars } from './parts';
import type { Accounts, Feedback, MyDesign } from './types';

export function DashboardPage() {
  return (
    <RequireRole roles={['designer']}>
      <Dashboard />
    </RequireRole>
  );
}

/** Mean stars and count per design, from the ratings the designer received. */
function ratingsByDesign(feedback: Feedback | undefined): Map<string, { mean: number; count: number }> {
  const sums = new Map<string, { total: number; count: number }>();
  for (const r of feedback?.ratings ?? []) {
    const s = sums.get(r.designId) ?? { total: 0, count: 0 };
    s.total += r.stars;
    s.count++;
    sums.set(r.designId, s);
  }
  return new Map([...sums].map(([id, s]) => [id, { mean: s.total / s.count, count: s.count }]));
}

function Dashboard() {
  const { user } = useSession();
  const designs = useAsync((signal) => call<MyDesign[]>('GET /me/designs', { signal }), []);
  const payments = useAsync((signal) => call<Accounts>('GET /me/payments', { signal }), []);
  const feedback = useAsync((signal) => call<Feedback>('GET /me/ratings', { signal }), []);
  const royalties = payments.data?.find((a) => a.account === `designer:${user?.userId}:royalties`) ?? payments.data?.find((a) => a.account.endsWith(':royalties'));
  const perDesign = ratingsByDesign(feedback.data);
  const titles = new Map((designs.data ?? []).map((d) => [d.designId, d.title]));

  return (
    <>
      <div className="page-head">
        <h1>Your designs</h1>
        <Link className="btn btn-primary" to="/designer/designs/new">
          New design
        </Link>
      </div>

      <div className="grid stats">
        <Card title="Royalties">
          {payments.error && !payments.data ? (
            <ErrorMessage error={payments.error} onRetry={payments.reload} />
          ) : !payments.data ? (
            <Loading />
          ) : (
            <>
              <p className="big">
                <span className="sr-only">Balance: </span>
                {money(royalties?.balanceCents ?? 0)}
              </p>
              <p className="muted">
                {royalties?.lines.length
                  ? `${royalties.earlierLinesOmitted ? 'More than ' : ''}${royalties.lines.length} payment${royalties.lines.length === 1 ? '' : 's'}, the last on ${when(royalties.lines.at(-1)!.at)}`
                  : 'Paid when a print of your design is delivered.'}
              </p>
            </>
          )}
        </Card>
        <Card title="Ratings">
          {feedback.error && !feedback.data ? (
            <ErrorMessage error={feedback.error} onRetry={feedback.reload} />
          ) : !feedback.data ? (
            <Loading />
          ) : (
            <>
              <p className="big">{feedback.data.count ? <Stars value={feedback.data.mean} count={feedback.data.count} /> : 'None yet'}</p>
              <p className="muted">Customers rate the design once their print is delivered.</p>
            </>
          )}
        </Card>
        <Card title="Catalogue">
          {designs.data ? (
            <>
              <p className="big">{designs.data.filter((d) => d.status === 'listed').length} listed</p>
              <p className="muted">
                {designs.data.length} design{designs.data.length === 1 ? '' : 's'} in all, {designs.data.reduce((n, d) => n + d.edition.sold, 0)} prints sold
              </p>
            </>
          ) : designs.error ? null : (
            <Loading />
          )}
        </Card>
      </div>

      <Card title="Designs">
        <AsyncView state={designs} label="Loading your designs…">
          {(list) =>
            list.length === 0 ? (
              <p>
                No designs yet. <Link to="/designer/designs/new">Upload your first design</Link>: you set its price, your royalty and the edition size.
              </p>
            ) : (
              <div className="table-wrap">
                <table>
                  <caption className="sr-only">Your designs, newest first</caption>
                  <thead>
                    <tr>
                      <th scope="col">Design</th>
                      <th scope="col">Status</th>
                      <th scope="col">Prints sold</th>
                      <th scope="col">Rating</th>
                      <th scope="col">Price</th>
                      <th scope="col">Created</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((d) => {
                      const r = perDesign.get(d.designId);
                      return (
                        <tr key={d.designId}>
                          <td>
                            <Link to={`/designer/designs/${d.designId}`}>{d.title}</Link>
                          </td>
                          <td>
                            <StatusBadge status={d.status} />
                          </td>
                          <td>
                            {d.edition.sold.toLocaleString()} <span className="muted">of {d.edition.size.toLocaleString()}</span>
                          </td>
                          <td>{r ? <Stars value={r.mean} count={r.count} /> : <span className="muted">–</span>}</td>
                          <td>{money(d.terms.priceCents)}</td>
                          <td>{when(d.createdAt)}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )
          }
        </AsyncView>
      </Card>

      <Card title="Feedback">
        <AsyncView state={feedback} label="Loading feedback…">
          {(f) =>
            f.ratings.length === 0 ? (
              <p className="muted">{f.count ? 'Your ratings so far were given before comments were kept here.' : 'No ratings yet.'}</p>
            ) : (
              <ul className="feedback">
                {f.ratings.slice(0, 20).map((r) => (
                  <li key={r.orderId}>
                    <Stars value={r.stars} /> <Link to={`/designer/designs/${r.designId}`}>{titles.get(r.designId) ?? 'A design'}</Link> <span className="muted">· {when(r.at)}</span>
                    {r.comment && <blockquote>{r.comment}</blockquote>}
                  </li>
                ))}
              </ul>
            )
          }
        </AsyncView>
      </Card>
    </>
  );
}
