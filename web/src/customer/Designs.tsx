// /designs: the catalogue. The filters live in the address (?q=&material=&maxPrice=&maxSizeMm=), so a search can be
// shared or bookmarked, and the results page on with the API's cursor ("Show more").
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { publicView } from '../../../shared/designs/design';
import { call } from '../api/client';
import { Button, Card, ErrorMessage, Field, Loading, money, Select } from '../ui/kit';
import { apiQuery, filterErrors, filtersFromQuery, materialChoices, queryFromFilters, type DesignFilters } from './search';
import './customer.css';

type DesignCard = ReturnType<typeof publicView> & { boundingBox?: { size: [number, number, number] } };
type Page = { items: DesignCard[]; total: number; next?: string };

export function Designs() {
  const [params, setParams] = useSearchParams();
  const applied = filtersFromQuery(params);
  const [form, setForm] = useState<DesignFilters>(applied);
  const [touched, setTouched] = useState(false);
  const [results, setResults] = useState<{ items: DesignCard[]; total: number; next?: string }>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  const key = params.toString();

  // The address changed (a search, the back button, a shared link): the form follows it, and the first page loads.
  useEffect(() => {
    const f = filtersFromQuery(new URLSearchParams(key));
    setForm(f);
    if (Object.keys(filterErrors(f)).length) return;
    const ac = new AbortController();
    setLoading(true);
    setError(undefined);
    call<Page, 'GET /designs'>('GET /designs', { query: apiQuery(f), signal: ac.signal }).then(
      (page) => {
        setResults(page);
        setLoading(false);
      },
      (err: unknown) => {
        if (ac.signal.aborted) return;
        setError(err);
        setLoading(false);
      },
    );
    return () => ac.abort();
  }, [key, tick]);

  const errors = filterErrors(touched ? form : applied);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(filterErrors(form)).length) return;
    setParams(queryFromFilters(form));
  };

  const more = async () => {
    if (!results?.next) return;
    setLoading(true);
    try {
      const page = await call<Page, 'GET /designs'>('GET /designs', { query: apiQuery(applied, results.next) });
      setResults({ items: [...results.items, ...page.items], total: page.total, next: page.next });
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  };

  return (
    <>
      <h1>Designs</h1>
      <Card>
        <form className="filters" role="search" aria-label="Search designs" onSubmit={submit} noValidate>
          <Field label="Search" name="q" type="search" value={form.q} placeholder="hook, vase, bracket…" onChange={(e) => setForm({ ...form, q: e.target.value })} error={errors.q} />
          <Select label="Material" name="material" value={form.material} onChange={(e) => setForm({ ...form, material: e.target.value })}>
            <option value="">Any material</option>
            {materialChoices.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </Select>
          <Field label="Max. price (€)" name="maxPrice" inputMode="decimal" value={form.maxPrice} onChange={(e) => setForm({ ...form, maxPrice: e.target.value })} error={errors.maxPrice} />
          <Field label="Max. size (mm)" name="maxSizeMm" inputMode="decimal" value={form.maxSizeMm} hint="Longest side" onChange={(e) => setForm({ ...form, maxSizeMm: e.target.value })} error={errors.maxSizeMm} />
          <div className="filters-actions">
            <Button type="submit">Search</Button>
            {key && (
              <Button type="button" variant="secondary" onClick={() => (setTouched(false), setParams(new URLSearchParams()))}>
                Clear
              </Button>
            )}
          </div>
        </form>
      </Card>
      {error !== undefined && <ErrorMessage error={error} onRetry={() => setTick((t) => t + 1)} />}
      {loading && !results && <Loading label="Searching designs…" />}
      {results && (
        <section aria-labelledby="results-heading" aria-busy={loading}>
          <h2 id="results-heading" aria-live="polite">
            {results.total === 0 ? 'No designs match' : `${results.total} design${results.total === 1 ? '' : 's'}`}
          </h2>
          {results.total === 0 && <p className="muted">Try fewer words, another material, or a higher price or size limit.</p>}
          <ul className="grid design-grid">
            {results.items.map((d) => (
              <li key={d.designId} className="card design-card">
                <h3>
                  <Link to={`/designs/${encodeURIComponent(d.designId)}`}>{d.title}</Link>
                </h3>
                <p className="price">{money(d.terms.priceCents)}</p>
                <p className="muted small">
                  {d.terms.allowedMaterials.join(', ')}
                  {d.boundingBox && ` · ${d.boundingBox.size.map((n) => Math.round(n)).join(' × ')} mm`}
                </p>
                {d.description && <p className="clamp">{d.description}</p>}
              </li>
            ))}
          </ul>
          {results.next && (
            <Button variant="secondary" busy={loading} onClick={() => void more()}>
              Show more designs
            </Button>
          )}
          {loading && results && <Loading label="Loading…" />}
        </section>
      )}
    </>
  );
}
