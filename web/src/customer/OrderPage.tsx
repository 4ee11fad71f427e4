// /orders/:orderId: one order, live. The status timeline and "layer x of y" follow the printer's reports as the
// platform pushes them (useOrderStream); then the customer confirms the delivery, rates the print, and can write to
// the printer's operator throughout.
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import type { OrderView } from '../../../shared/orders/order';
import type { OrderMessage } from '../../../shared/orders/messages';
import { ApiError, call } from '../api/client';
import { RequireRole } from '../app/guards';
import { AsyncView, Button, Card, ErrorMessage, Loading, money, Progress, Select, TextArea, useAsync, when } from '../ui/kit';
import { progressText, statusLabel, timeline } from './tracking';
import { useOrderStream, type StreamState } from './useOrderStream';
import './customer.css';

export function OrderPage() {
  return (
    <RequireRole roles={['customer']}>
      <Tracking />
    </RequireRole>
  );
}

function Tracking() {
  const { orderId = '' } = useParams();
  const location = useLocation();
  const first = useAsync((signal) => call<OrderView, 'GET /orders/{orderId}'>('GET /orders/{orderId}', { params: { orderId }, signal }), [orderId]);
  const live = useOrderStream(orderId);
  const [confirmed, setConfirmed] = useState<OrderView>();
  const order = live.order ?? confirmed ?? first.data;
  const justPaid = (location.state as { justPaid?: boolean } | null)?.justPaid;
  // Names for the ids the order carries; the ids stay as a fallback while these load (or if they fail).
  const designId = order?.designId;
  const design = useAsync((signal) => (designId ? call<{ title: string }, 'GET /designs/{designId}'>('GET /designs/{designId}', { params: { designId }, signal }) : Promise.resolve(undefined)), [designId]);
  const printers = useAsync((signal) => call<{ printerId: string; name: string; region: string }[], 'GET /printers'>('GET /printers', { signal }), []);
  const printer = printers.data?.find((p) => p.printerId === order?.printerId);

  if (!order) return <AsyncView state={first} label="Loading your order…">{() => null}</AsyncView>;
  return (
    <>
      <p className="crumbs">
        <Link to="/orders">← My orders</Link>
      </p>
      <h1>
        Order <span className="mono">{order.orderId}</span>
      </h1>
      {justPaid && (
        <div className="notice" role="status">
          Payment accepted: {money(order.quote.totalCents)} is held in escrow until you confirm the delivery.
        </div>
      )}
      <LiveBadge state={live.state} />
      {live.error !== undefined && <ErrorMessage error={live.error} onRetry={() => window.location.reload()} />}
      <div className="design-layout">
        <div>
          <StatusCard order={order} />
          {order.status === 'shipped' && <ConfirmDelivery order={order} onConfirmed={setConfirmed} />}
          {order.status === 'completed' && <RateOrder orderId={order.orderId} />}
          <Messages orderId={order.orderId} />
        </div>
        <div>
          <Card title="Details">
            <dl className="facts">
              <dt>Design</dt>
              <dd>
                <Link to={`/designs/${encodeURIComponent(order.designId)}`}>{design.data?.title ?? order.designId}</Link>
              </dd>
              <dt>Material</dt>
              <dd>
                {order.material}
                {order.color ? `, ${order.color}` : ''}
              </dd>
              <dt>Licence</dt>
              <dd>
                version {order.licenseVersion}
                {order.printNumber !== undefined && `, print no. ${order.printNumber}`}
              </dd>
              <dt>Printer</dt>
              <dd>{printer ? `${printer.name}, ${printer.region}` : (order.printerId ?? 'being matched')}</dd>
              <dt>Placed</dt>
              <dd>{when(order.createdAt)}</dd>
              <dt>Total</dt>
              <dd>{money(order.quote.totalCents)}</dd>
              {order.shipment && (
                <>
                  <dt>Shipping</dt>
                  <dd>
                    {order.shipment.carrierId}
                    {'trackingNumber' in order.shipment && `, tracking ${String(order.shipment.trackingNumber)}`}
                  </dd>
                </>
              )}
              {order.tag && (
                <>
                  <dt>Product</dt>
                  <dd>
                    <a href={order.tag.url}>Its tag and story</a>
                  </dd>
                </>
              )}
            </dl>
          </Card>
        </div>
      </div>
    </>
  );
}

function LiveBadge({ state }: { state: StreamState }) {
  const text = { connecting: 'Connecting to live updates…', live: 'Live: this page updates by itself', reconnecting: 'Reconnecting to live updates…', ended: 'Live updates stopped: this order is finished', refused: 'No live updates for this order' }[state];
  return (
    <p className={`live live-${state}`} role="status">
      <span className="dot" aria-hidden="true" /> {text}
    </p>
  );
}

function StatusCard({ order }: { order: OrderView }) {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 15_000);
    return () => clearInterval(t);
  }, []);
  const steps = timeline(order.status);
  const p = order.progress;
  return (
    <Card title={<>Status: <span className={`badge status-${order.status}`}>{statusLabel(order.status)}</span></>}>
      {order.failure && (
        <div className="error" role="alert">
          <span>
            This order stopped: {order.failure.error === 'PaymentDeclined' ? 'the payment was declined' : order.failure.cause || order.failure.error}. Nothing is kept from your payment.
          </span>
        </div>
      )}
      {order.status === 'printing' && !p && <Loading label="The printer is starting…" />}
      {p && (order.status === 'printing' || order.status === 'dispatched') && (
        <div className="print-progress" aria-live="polite">
          <Progress value={p.layer} max={p.layers} label={progressText(p, now).layers} />
          <p>
            Expected to finish at {new Date(p.expectedFinishAt).toLocaleTimeString()} ({progressText(p, now).finish}).
          </p>
        </div>
      )}
      <ol className="timeline">
        {steps.map((s) => (
          <li key={s.status} className={`step-${s.state}`} aria-current={s.state === 'current' ? 'step' : undefined}>
            <span className="sr-only">{s.state === 'done' ? 'Done: ' : s.state === 'current' ? 'Now: ' : 'To come: '}</span>
            {s.label}
          </li>
        ))}
      </ol>
      {order.deliveredAt && <p className="muted">Delivered {when(order.deliveredAt)}.</p>}
    </Card>
  );
}

function ConfirmDelivery({ order, onConfirmed }: { order: OrderView; onConfirmed: (o: OrderView) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onConfirmed(await call<OrderView, 'POST /orders/{orderId}/delivery'>('POST /orders/{orderId}/delivery', { params: { orderId: order.orderId } }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title="Has it arrived?">
      <p>Confirm once you have the print in your hands: the payment is then released to the printer and the designer.</p>
      <ErrorMessage error={error} onRetry={() => void confirm()} />
      <Button busy={busy} onClick={() => void confirm()}>
        Confirm delivery
      </Button>
    </Card>
  );
}

function Stars({ label, value, onChange }: { label: string; value: number; onChange: (n: number) => void }) {
  return (
    <Select label={label} value={String(value)} onChange={(e) => onChange(Number(e.target.value))}>
      {[5, 4, 3, 2, 1].map((n) => (
        <option key={n} value={n}>
          {'★'.repeat(n)} {n} of 5
        </option>
      ))}
    </Select>
  );
}

function RateOrder({ orderId }: { orderId: string }) {
  const [designStars, setDesignStars] = useState(5);
  const [printerStars, setPrinterStars] = useState(5);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await call('POST /orders/{orderId}/rating', { params: { orderId }, body: { designStars, printerStars, ...(comment.trim() ? { comment: comment.trim() } : {}) } });
      setDone('Thank you: your rating is saved and helps other customers choose.');
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) setDone('You have rated this order already; each order is rated once.');
      else setError(err);
    } finally {
      setBusy(false);
    }
  };
  if (done) {
    return (
      <Card title="Rating">
        <p role="status">{done}</p>
      </Card>
    );
  }
  return (
    <Card title="Rate this order">
      <form onSubmit={(e) => void submit(e)}>
        <div className="row">
          <Stars label="The design" value={designStars} onChange={setDesignStars} />
          <Stars label="The printing" value={printerStars} onChange={setPrinterStars} />
        </div>
        <TextArea label="Feedback (optional)" maxLength={1000} rows={3} value={comment} onChange={(e) => setComment(e.target.value)} />
        <ErrorMessage error={error} />
        <Button type="submit" busy={busy}>
          Send rating
        </Button>
      </form>
    </Card>
  );
}

function Messages({ orderId }: { orderId: string }) {
  const messages = useAsync((signal) => call<OrderMessage[], 'GET /orders/{orderId}/messages'>('GET /orders/{orderId}/messages', { params: { orderId }, signal }), [orderId]);
  const [text, setText] = useState('');
  const [messageId, setMessageId] = useState(() => crypto.randomUUID());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [tooShort, setTooShort] = useState(false);
  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) {
      setTooShort(true);
      return;
    }
    setTooShort(false);
    setBusy(true);
    setError(undefined);
    try {
      // The same messageId until it is sent: a retry after a lost answer does not post it twice.
      await call('POST /orders/{orderId}/messages', { params: { orderId }, body: { messageId, text: text.trim() } });
      setText('');
      setMessageId(crypto.randomUUID());
      messages.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card
      title="Messages with the printer"
      actions={
        <button type="button" className="link" onClick={messages.reload}>
          Refresh
        </button>
      }
    >
      <AsyncView state={messages} label="Loading messages…">
        {(list) =>
          list.length === 0 ? (
            <p className="muted">No messages yet. Ask the printer’s operator anything about this order.</p>
          ) : (
            <ul className="messages" aria-label="Messages">
              {list.map((m) => (
                <li key={m.messageId} className={`message from-${m.from}`}>
                  <span className="muted small">
                    {m.from === 'customer' ? 'You' : 'Printer'} · {when(m.at)}
                  </span>
                  <p className="pre">{m.text}</p>
                </li>
              ))}
            </ul>
          )
        }
      </AsyncView>
      <form onSubmit={(e) => void send(e)} noValidate>
        <TextArea label="Your message" rows={2} maxLength={2000} value={text} onChange={(e) => setText(e.target.value)} aria-invalid={tooShort || undefined} />
        {tooShort && (
          <p className="field-error" role="alert">
            Write a message before sending.
          </p>
        )}
        <ErrorMessage error={error} onRetry={() => void send({ preventDefault() {} } as FormEvent)} />
        <Button type="submit" busy={busy} variant="secondary">
          Send message
        </Button>
      </form>
    </Card>
  );
}
