// /inbox: the caller's notifications (GET /me/notifications) and their order conversations (GET /me/conversations):
// one opens with ?order=<id> (GET and POST /orders/{id}/messages). A customer can also start one about any of their
// orders. Messages are sent with a client-chosen id, so a retried send is the same message.
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { call } from '../api/client';
import { hasRole, useSession } from '../auth/session';
import { AsyncView, Button, Card, ErrorMessage, Loading, Select, TextArea, useAsync, when } from '../ui/kit';
import type { Conversation, OrderMessage } from '../../../shared/orders/messages';
import type { Notification } from '../../../shared/orders/notifications';
import type { orderView } from '../../../shared/orders/order';
import { RequireUser } from './RequireUser';
import './account.css';

type OrderView = ReturnType<typeof orderView>;

export function Component() {
  return (
    <RequireUser>
      <Inbox />
    </RequireUser>
  );
}

const noteLabel: Record<Notification['kind'], string> = {
  'order-placed': 'Order placed',
  'order-shipped': 'Shipped',
  'order-completed': 'Delivered',
  'order-refunded': 'Refunded or cancelled',
  'royalty-earned': 'Royalty',
  'payout-earned': 'Payout',
  'payout-reversed': 'Payout taken back',
  'payment-partly-refunded': 'Part of your payment given back',
};

function Inbox() {
  const { user } = useSession();
  const [params, setParams] = useSearchParams();
  const open = params.get('order') ?? undefined;
  const conversations = useAsync(() => call<Conversation[]>('GET /me/conversations'), []);
  const notes = useAsync(() => call<Notification[]>('GET /me/notifications'), []);
  const talks = hasRole(user, 'customer', 'printer');

  return (
    <div className="account-page inbox">
      <h1>Inbox</h1>
      <div className="inbox-grid">
        {talks && (
          <Card title="Messages">
            <AsyncView state={conversations} label="Loading your conversations…">
              {(list) => (
                <>
                  {list.length === 0 ? (
                    <p className="muted">No conversations yet. {hasRole(user, 'customer') ? 'Start one about one of your orders below.' : 'Customers’ messages about orders given to your printers appear here.'}</p>
                  ) : (
                    <ul className="conversations" aria-label="Conversations">
                      {list.map((c) => (
                        <li key={c.orderId}>
                          <Link to={`?order=${encodeURIComponent(c.orderId)}`} aria-current={c.orderId === open ? 'true' : undefined}>
                            <span className="conv-order">
                              Order <span className="mono">{c.orderId}</span> <span className="badge">as {c.as === 'customer' ? 'customer' : 'printer'}</span>
                            </span>
                            <span className="conv-last">
                              {c.last.from === c.as ? 'You' : c.as === 'customer' ? 'Printer' : 'Customer'}: {c.last.text}
                            </span>
                            <time dateTime={c.last.at} className="muted">
                              {when(c.last.at)}
                            </time>
                          </Link>
                        </li>
                      ))}
                    </ul>
                  )}
                  {hasRole(user, 'customer') && <StartConversation known={list.map((c) => c.orderId)} onStart={(orderId) => setParams({ order: orderId })} />}
                </>
              )}
            </AsyncView>
          </Card>
        )}
        {open && talks && <Thread key={open} orderId={open} onSent={conversations.reload} />}
        <Card title="Notifications">
          <AsyncView state={notes} label="Loading your notifications…">
            {(list) =>
              list.length === 0 ? (
                <p className="muted">No notifications yet. You will find news about your orders, royalties and payouts here.</p>
              ) : (
                <ul className="notifications">
                  {list.map((n) => (
                    <li key={n.notificationId}>
                      <span className="badge">{noteLabel[n.kind] ?? n.kind}</span> {n.text}{' '}
                      <time dateTime={n.at} className="muted">
                        {when(n.at)}
                      </time>
                    </li>
                  ))}
                </ul>
              )
            }
          </AsyncView>
        </Card>
      </div>
    </div>
  );
}

function StartConversation({ known, onStart }: { known: string[]; onStart(orderId: string): void }) {
  const orders = useAsync(() => call<OrderView[]>('GET /me/orders'), []);
  const [choice, setChoice] = useState('');
  if (orders.error) return <ErrorMessage error={orders.error} onRetry={orders.reload} />;
  if (!orders.data) return <Loading label="Loading your orders…" />;
  const open = orders.data.filter((o) => !known.includes(o.orderId));
  if (open.length === 0) return null;
  return (
    <form
      className="start-conversation"
      onSubmit={(e) => {
        e.preventDefault();
        if (choice) onStart(choice);
      }}
    >
      <Select label="Write about an order" value={choice} onChange={(e) => setChoice(e.target.value)}>
        <option value="">Choose an order…</option>
        {open.map((o) => (
          <option key={o.orderId} value={o.orderId}>
            {o.orderId} · {o.status} · {when(o.createdAt)}
          </option>
        ))}
      </Select>
      <Button type="submit" variant="secondary" disabled={!choice}>
        Open the conversation
      </Button>
    </form>
  );
}

function Thread({ orderId, onSent }: { orderId: string; onSent(): void }) {
  const thread = useAsync(() => call<OrderMessage[], 'GET /orders/{orderId}/messages'>('GET /orders/{orderId}/messages', { params: { orderId } }), [orderId]);
  const { user } = useSession();
  const [text, setText] = useState('');
  // One id per message being written: a retry after a failure sends the same message, not a second one.
  const [messageId, setMessageId] = useState(() => crypto.randomUUID());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [empty, setEmpty] = useState(false);

  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) {
      setEmpty(true);
      return;
    }
    setEmpty(false);
    setBusy(true);
    setError(undefined);
    try {
      await call<OrderMessage, 'POST /orders/{orderId}/messages'>('POST /orders/{orderId}/messages', { params: { orderId }, body: { messageId, text: text.trim() } });
      setText('');
      setMessageId(crypto.randomUUID());
      thread.reload();
      onSent();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const mine = (m: OrderMessage) => (hasRole(user, 'customer') && !hasRole(user, 'printer') ? m.from === 'customer' : hasRole(user, 'printer') && !hasRole(user, 'customer') ? m.from === 'printer' : false);
  return (
    <Card title={<>Order <span className="mono">{orderId}</span></>}>
      <AsyncView state={thread} label="Loading the conversation…">
        {(messages) =>
          messages.length === 0 ? (
            <p className="muted">No messages yet. Write the first one below; the other side sees it in their inbox.</p>
          ) : (
            <ol className="thread" aria-label="Messages">
              {messages.map((m) => (
                <li key={m.messageId} className={mine(m) ? 'msg msg-mine' : 'msg'}>
                  <span className="msg-from">{m.from === 'customer' ? 'Customer' : 'Printer'}</span>
                  <p>{m.text}</p>
                  <time dateTime={m.at} className="muted">
                    {when(m.at)}
                  </time>
                </li>
              ))}
            </ol>
          )
        }
      </AsyncView>
      <form onSubmit={(e) => void send(e)} noValidate>
        <TextArea label="Your message" name="text" rows={3} maxLength={2000} value={text} onChange={(e) => setText(e.target.value)} aria-invalid={empty || undefined} />
        {empty && <p className="field-error">Write something before sending.</p>}
        <ErrorMessage error={error} />
        <Button type="submit" busy={busy}>
          {busy ? 'Sending…' : 'Send'}
        </Button>
      </form>
    </Card>
  );
}
