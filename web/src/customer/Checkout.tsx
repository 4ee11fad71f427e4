// The order of a design: material and colour, a printer from those that can take it (rating, expected delivery,
// price), its terms and the design's licence to accept, the itemized quote, then the card. One client order id per
// checkout: a double click or a retry after a lost answer is the same order, never a second charge.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import type { OrderView } from '../../../shared/orders/order';
import type { QuoteView } from '../../../shared/orders/place-order';
import { call } from '../api/client';
import { hasRole, useSession } from '../auth/session';
import { Button, Card, ErrorMessage, Field, Loading, money, Progress, Select, when } from '../ui/kit';
import { addressErrors, cardErrors, deliverToOf, emptyAddress, formatCardNumber, newClientOrderId, paymentMethodOf, paymentOutcome, type AddressInput, type CardInput } from './checkout';
import type { DesignView } from './DesignPage';

type Material = DesignView['terms']['allowedMaterials'][number];
type PrintParams = { layerHeightMm: number; infillPercent: number; perimeters: number };
// The choices the order's schema accepts (shared/orders/order.ts PrintParams); the platform refuses any other.
const layerHeights = [0.1, 0.15, 0.2, 0.3] as const;
const defaultParams: PrintParams = { layerHeightMm: 0.2, infillPercent: 20, perimeters: 2 };
// The countries offered for delivery (ISO 3166-1 codes, as the API takes them).
const countries = [
  ['FR', 'France'],
  ['BE', 'Belgium'],
  ['DE', 'Germany'],
  ['ES', 'Spain'],
  ['IT', 'Italy'],
  ['LU', 'Luxembourg'],
  ['NL', 'Netherlands'],
  ['PT', 'Portugal'],
  ['CH', 'Switzerland'],
  ['GB', 'United Kingdom'],
] as const;

export function Checkout({ design }: { design: DesignView }) {
  const { user } = useSession();
  if (!user || !hasRole(user, 'customer')) {
    return (
      <Card title="Order a print">
        <p>
          {user ? 'Ordering prints needs a customer account.' : 'Log in with a customer account to order a print of this design.'}{' '}
          {!user && <Link to={`/login?next=${encodeURIComponent(`/designs/${design.designId}`)}`}>Log in</Link>}
          {!user && ' or '}
          <Link to="/signup">sign up as a customer</Link>.
        </p>
      </Card>
    );
  }
  return <OrderForm design={design} />;
}

function OrderForm({ design }: { design: DesignView }) {
  const navigate = useNavigate();
  const [material, setMaterial] = useState<Material>(design.terms.allowedMaterials[0]!);
  const [color, setColor] = useState('');
  const [params, setParams] = useState<PrintParams>(defaultParams);
  const [printerId, setPrinterId] = useState<string>();
  const [quote, setQuote] = useState<QuoteView>();
  const [quoting, setQuoting] = useState(false);
  const [quoteError, setQuoteError] = useState<unknown>();
  const [acceptLicence, setAcceptLicence] = useState(false);
  const [acceptPrinter, setAcceptPrinter] = useState(false);
  const [card, setCard] = useState<CardInput>({ number: '', expiry: '', cvc: '', name: '' });
  const [address, setAddress] = useState<AddressInput>(emptyAddress);
  const [showErrors, setShowErrors] = useState(false);
  const [phase, setPhase] = useState<'form' | 'placing' | 'paying'>('form');
  const [payError, setPayError] = useState<unknown>();
  const [declined, setDeclined] = useState<string>();
  const clientOrderId = useRef(newClientOrderId());
  const declineRef = useRef<HTMLDivElement>(null);

  // A new material or printer is a new quote, and a new order: what was accepted for the old one no longer holds.
  useEffect(() => {
    const ac = new AbortController();
    setQuoting(true);
    setQuoteError(undefined);
    call<QuoteView, 'POST /quotes'>('POST /quotes', { body: { designId: design.designId, material, printParams: params, ...(printerId ? { printerId } : {}) }, signal: ac.signal }).then(
      (q) => {
        setQuote(q);
        setQuoting(false);
      },
      (err: unknown) => {
        if (ac.signal.aborted) return;
        setQuote(undefined);
        setQuoteError(err);
        setQuoting(false);
      },
    );
    return () => ac.abort();
  }, [design.designId, material, printerId, params]);

  useEffect(() => {
    clientOrderId.current = newClientOrderId();
    setAcceptPrinter(false);
  }, [material, printerId, params]);

  useEffect(() => {
    if (declined) declineRef.current?.focus();
  }, [declined]);

  // The customer's pick shows at once; its own quote (and the Pay button) follow when it arrives.
  const selected = printerId ?? quote?.printerId;
  const chosen = quote?.candidates.find((c) => c.printerId === selected);
  const errors = cardErrors(card, new Date());
  const addressProblems = addressErrors(address);
  const problems = [
    ...(Object.keys(addressProblems).length ? ['Check the delivery address.'] : []),
    ...(acceptLicence ? [] : ['Tick the box to accept the design’s licence terms.']),
    ...(acceptPrinter ? [] : ['Tick the box to accept the printer’s terms.']),
    ...(Object.keys(errors).length ? ['Check the card details below.'] : []),
  ];

  async function pay(e: FormEvent) {
    e.preventDefault();
    setShowErrors(true);
    if (problems.length || !quote || quoting || phase !== 'form') return;
    setPayError(undefined);
    setDeclined(undefined);
    setPhase('placing');
    try {
      const order = await call<OrderView, 'POST /orders'>('POST /orders', {
        body: {
          clientOrderId: clientOrderId.current,
          designId: design.designId,
          material,
          ...(color ? { color } : {}),
          printParams: params,
          printerId: quote.printerId,
          acceptedLicenseVersion: quote.licenseVersion,
          acceptedPrinterTermsVersion: quote.printerTermsVersion,
          paymentMethod: paymentMethodOf(card),
          deliverTo: deliverToOf(address),
        },
      });
      setPhase('paying');
      // The charge is the order workflow's second step: wait until the money is in escrow, or the card is refused.
      for (let i = 0; i < 120; i++) {
        const current = await call<OrderView, 'GET /orders/{orderId}'>('GET /orders/{orderId}', { params: { orderId: order.orderId } });
        const outcome = paymentOutcome(current);
        if (outcome.kind === 'paid') {
          void navigate(`/orders/${encodeURIComponent(order.orderId)}`, { state: { justPaid: true } });
          return;
        }
        if (outcome.kind !== 'pending') {
          // That order is over; paying again is a new order with its own id.
          clientOrderId.current = newClientOrderId();
          setDeclined(outcome.message);
          setPhase('form');
          return;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
      setPayError(new Error('The payment is taking longer than usual. Your order is saved: follow it under My orders before paying again.'));
      setPhase('form');
    } catch (err) {
      // Same order id on the next try: if this attempt did reach the platform, the retry finds that order.
      setPayError(err);
      setPhase('form');
    }
  }

  return (
    <form className="checkout" aria-labelledby="order-heading" onSubmit={(e) => void pay(e)} noValidate>
      <Card title={<span id="order-heading">Order a print</span>}>
        <div className="row">
          <Select label="Material" value={material} onChange={(e) => (setMaterial(e.target.value as Material), setPrinterId(undefined), setColor(''))}>
            {design.terms.allowedMaterials.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </Select>
          <Select label="Colour" value={color} onChange={(e) => setColor(e.target.value)} disabled={!chosen}>
            <option value="">Any colour the printer has</option>
            {chosen?.loadedColors.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </Select>
        </div>
        <div className="row">
          <Select label="Layer height" value={String(params.layerHeightMm)} onChange={(e) => setParams((p) => ({ ...p, layerHeightMm: Number(e.target.value) }))}>
            {layerHeights.map((h) => (
              <option key={h} value={String(h)}>
                {h} mm{h === 0.1 ? ' (finest, slowest)' : h === 0.3 ? ' (fastest)' : h === 0.2 ? ' (standard)' : ''}
              </option>
            ))}
          </Select>
          <Select label="Infill" value={String(params.infillPercent)} onChange={(e) => setParams((p) => ({ ...p, infillPercent: Number(e.target.value) }))}>
            {[10, 20, 40, 60, 100].map((v) => (
              <option key={v} value={String(v)}>
                {v} %{v === 20 ? ' (standard)' : v === 100 ? ' (solid)' : ''}
              </option>
            ))}
          </Select>
          <Select label="Walls" value={String(params.perimeters)} onChange={(e) => setParams((p) => ({ ...p, perimeters: Number(e.target.value) }))}>
            {[2, 3, 4].map((v) => (
              <option key={v} value={String(v)}>
                {v}{v === 2 ? ' (standard)' : ' (stronger)'}
              </option>
            ))}
          </Select>
        </div>
      </Card>

      <Card title="Printer">
        {quoteError !== undefined && <ErrorMessage error={quoteError} onRetry={() => setPrinterId((p) => (p ? undefined : p))} />}
        {quoting && !quote && <Loading label="Finding printers that can print this…" />}
        {quote && (
          <fieldset className="printers" aria-busy={quoting}>
            <legend>Choose who prints it (best rated first)</legend>
            {quote.candidates.map((c) => (
              <label key={c.printerId} className={`printer-option ${c.printerId === selected ? 'selected' : ''}`}>
                <input type="radio" name="printer" value={c.printerId} checked={c.printerId === selected} onChange={() => setPrinterId(c.printerId)} />
                <span className="printer-name">{c.name}</span>
                <span className="muted small">{c.region}</span>
                <span aria-label={c.ratingCount ? `Rated ${c.rating} of 5 from ${c.ratingCount} orders` : 'Not rated yet'}>
                  {c.ratingCount ? `★ ${c.rating.toFixed(1)} (${c.ratingCount})` : 'New: no ratings yet'}
                </span>
                <span>Delivery by {new Date(c.expectedDeliveryAt).toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' })}</span>
                <span className="muted small">{c.queueLength ? `${c.queueLength} job ahead` : 'Free now'}</span>
                <strong>{money(c.totalCents)}</strong>
              </label>
            ))}
          </fieldset>
        )}
      </Card>

      {quote && chosen && (
        <>
          <Card title="Terms">
            <div className="terms-text">
              <h3>{chosen.name}’s terms (version {chosen.terms.version})</h3>
              <p className="pre">{chosen.terms.text}</p>
              <p className="muted small">
                {money(chosen.terms.feePerHourCents)} per started hour of printing, {money(chosen.terms.feePerGramCents)} per gram of material.
              </p>
            </div>
            <label className="check">
              <input type="checkbox" checked={acceptLicence} onChange={(e) => setAcceptLicence(e.target.checked)} aria-invalid={showErrors && !acceptLicence ? true : undefined} />
              <span>I accept the design’s licence terms (version {quote.licenseVersion}) shown on this page.</span>
            </label>
            <label className="check">
              <input type="checkbox" checked={acceptPrinter} onChange={(e) => setAcceptPrinter(e.target.checked)} aria-invalid={showErrors && !acceptPrinter ? true : undefined} />
              <span>
                I accept {chosen.name}’s terms (version {quote.printerTermsVersion}).
              </span>
            </label>
          </Card>

          <Card title="Price">
            <table className="quote" aria-label="Itemized price">
              <tbody>
                <tr>
                  <th scope="row">Design licence</th>
                  <td>{money(quote.quote.designPriceCents)}</td>
                </tr>
                <tr>
                  <th scope="row">
                    Printing <span className="muted small">(about {Math.max(1, Math.round(quote.quote.estimate.printSeconds / 60))} min, {quote.quote.estimate.grams} g)</span>
                  </th>
                  <td>{money(quote.quote.printingFeeCents)}</td>
                </tr>
                <tr>
                  <th scope="row">Platform commission</th>
                  <td>{money(quote.quote.commissionCents)}</td>
                </tr>
                <tr>
                  <th scope="row">Shipping</th>
                  <td>{money(quote.quote.shippingCents)}</td>
                </tr>
                <tr className="total">
                  <th scope="row">Total</th>
                  <td>{money(quote.quote.totalCents)}</td>
                </tr>
              </tbody>
            </table>
            <p className="muted small">Expected delivery {when(chosen.expectedDeliveryAt)}. The payment is held in escrow until you confirm the delivery.</p>
          </Card>

          <Card title="Delivery address">
            <div className="row">
              <Field label="Recipient" autoComplete="shipping name" value={address.name} onChange={(e) => setAddress({ ...address, name: e.target.value })} error={showErrors ? addressProblems.name : undefined} />
              <Field label="Street and number" autoComplete="shipping address-line1" value={address.line1} onChange={(e) => setAddress({ ...address, line1: e.target.value })} error={showErrors ? addressProblems.line1 : undefined} />
              <Field label="Address line 2 (optional)" autoComplete="shipping address-line2" value={address.line2} onChange={(e) => setAddress({ ...address, line2: e.target.value })} error={showErrors ? addressProblems.line2 : undefined} />
            </div>
            <div className="row">
              <Field label="Postal code" autoComplete="shipping postal-code" value={address.postalCode} onChange={(e) => setAddress({ ...address, postalCode: e.target.value })} error={showErrors ? addressProblems.postalCode : undefined} />
              <Field label="Town or city" autoComplete="shipping address-level2" value={address.city} onChange={(e) => setAddress({ ...address, city: e.target.value })} error={showErrors ? addressProblems.city : undefined} />
              <Select label="Country" autoComplete="shipping country" value={address.country} onChange={(e) => setAddress({ ...address, country: e.target.value })}>
                {countries.map(([code, name]) => (
                  <option key={code} value={code}>
                    {name}
                  </option>
                ))}
              </Select>
            </div>
            <p className="hint">Only the carrier that delivers the parcel sees this address; it never goes on the product’s public record.</p>
          </Card>

          <Card title="Payment">
            <div className="row card-fields">
              <Field
                label="Card number"
                autoComplete="cc-number"
                inputMode="numeric"
                value={card.number}
                onChange={(e) => setCard({ ...card, number: formatCardNumber(e.target.value) })}
                error={showErrors ? errors.number : undefined}
                placeholder="1234 1234 1234 1234"
              />
              <Field label="Expiry (MM/YY)" autoComplete="cc-exp" value={card.expiry} onChange={(e) => setCard({ ...card, expiry: e.target.value })} error={showErrors ? errors.expiry : undefined} placeholder="MM/YY" />
              <Field label="Security code" autoComplete="cc-csc" inputMode="numeric" value={card.cvc} onChange={(e) => setCard({ ...card, cvc: e.target.value })} error={showErrors ? errors.cvc : undefined} />
              <Field label="Name on card" autoComplete="cc-name" value={card.name} onChange={(e) => setCard({ ...card, name: e.target.value })} error={showErrors ? errors.name : undefined} />
            </div>
            <p className="hint">Test cards: 4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined.</p>
            {showErrors && problems.length > 0 && (
              <div className="error" role="alert">
                <ul>
                  {problems.map((p) => (
                    <li key={p}>{p}</li>
                  ))}
                </ul>
              </div>
            )}
            {declined && (
              <div className="error" role="alert" tabIndex={-1} ref={declineRef}>
                <span>{declined}</span>
              </div>
            )}
            <ErrorMessage error={payError} />
            {phase === 'placing' && <Progress label="Placing your order…" />}
            {phase === 'paying' && <Progress label="Waiting for your bank to accept the payment…" />}
            <Button type="submit" busy={phase !== 'form'} disabled={quoting}>
              Pay {money(quote.quote.totalCents)}
            </Button>
          </Card>
        </>
      )}
    </form>
  );
}
