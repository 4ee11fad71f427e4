// /orders: the customer's orders, newest first, each linking to its tracking page.
import { Link } from 'react-router';
import type { OrderView } from '../../../shared/orders/order';
import { RequireRole } from '../app/guards';
import { call } from '../api/client';
import { AsyncView, Card, money, useAsync, when } from '../ui/kit';
import { statusLabel } from './tracking';
import './customer.css';

export function Orders() {
  return (
    <RequireRole roles={['customer']}>
      <OrderHistory />
    </RequireRole>
  );
}

function OrderHistory() {
  const orders = useAsync((signal) => call<OrderView[], 'GET /me/orders'>('GET /me/orders', { signal }), []);
  return (
    <>
      <h1>My orders</h1>
      <AsyncView state={orders} label="Loading your orders…">
        {(list) =>
          list.length === 0 ? (
            <Card>
              <p>
                No orders yet. <Link to="/designs">Find a design to print</Link>.
              </p>
            </Card>
          ) : (
            <div className="table-wrap card">
              <table>
                <caption className="sr-only">Your orders, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Order</th>
                    <th scope="col">Placed</th>
                    <th scope="col">Material</th>
                    <th scope="col">Status</th>
                    <th scope="col">Total</th>
                  </tr>
                </thead>
                <tbody>
                  {[...list]
                    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
                    .map((o) => (
                      <tr key={o.orderId}>
                        <td>
                          <Link to={`/orders/${encodeURIComponent(o.orderId)}`}>{o.orderId}</Link>
                        </td>
                        <td>{when(o.createdAt)}</td>
                        <td>
                          {o.material}
                          {o.color ? `, ${o.color}` : ''}
                        </td>
                        <td>
                          <span className={`badge status-${o.status}`}>{statusLabel(o.status)}</span>
                        </td>
                        <td>{money(o.quote.totalCents)}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </div>
          )
        }
      </AsyncView>
    </>
  );
}
