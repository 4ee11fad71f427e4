// Who may call what, for every HTTP route of the platform description (infra/platform.ts) × every role, on the
// embedded platform in-process: anonymous callers get 401 from a route that is not public, a signed-in user outside
// the route's groups gets 403, and a user of an allowed group gets past authorization (whatever the handler then
// answers). Routes are read from the description, so a new route is in the matrix at once, and the matrix refuses a
// route it has no case for. Then, with a second user of each group made in cognito-local, the resources of one user
// stay out of reach of another user of the same group.
import { randomUUID } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrinterAgent } from '../../cli/printer-agent.js';
import { functions, userGroups, type RouteSpec, type UserGroup } from '../../infra/platform.js';
import { localCredentials, localRegion } from '../../local/servers/local-aws.js';
import { generateDeviceKeys, publicKeys } from '../../shared/printing/device-keys.js';
import { binaryStl, box } from '../support/meshes.js';
import { until } from '../support/until.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { deliveryAddress } from '../support/fleet.js';

// ---- The routes, straight from the description ----

interface Route extends RouteSpec {
  key: string;
  functionKey: string;
}

const routes: Route[] = Object.entries(functions).flatMap(([functionKey, fn]) =>
  (fn.routes as readonly RouteSpec[]).map((r) => ({ ...r, key: `${r.method} ${r.path}`, functionKey })),
);
const pathParams = (path: string) => [...path.matchAll(/\{(\w+)\+?\}/g)].map((m) => m[1]!);

// ---- The resources the requests address (made in beforeAll) ----

interface Resources {
  /** The demo designer's listed design (ingested; the order below is for it). */
  listedDesignId: string;
  /** The demo designer's uploaded, not yet ingested design: the matrix's own, which its requests may change. */
  draftDesignId: string;
  /** The demo operator's printer, online through a printer agent. */
  printerId: string;
  /** The demo customer's order of the listed design. */
  orderId: string;
  /** The body that placed it: sending it again is an idempotent retry, a valid request without side effects. */
  orderBody: Record<string, unknown>;
}

const designTerms = { priceCents: 1200, royaltyCents: 500, editionSize: 100, allowedMaterials: ['PLA'], commercialUse: false };
const printerConfig = { name: 'Matrix MK4', region: 'Lyon', profile: { bed: { x: 220, y: 220 }, maxZ: 250 }, loadedMaterials: [{ type: 'PLA', color: 'black' }] };
const printerTerms = { feePerHourCents: 200, feePerGramCents: 5, text: 'Printed within two days.' };
const materialCertificate = { certificateId: 'matrix-cert-1', lotId: 'MATRIX-LOT-1', material: 'PLA', documentSha256: 'c'.repeat(64), issuedAt: '2026-12-01T00:00:00Z' };

/**
 * How to call each route: a value for each of its path parameters and, where it takes one, a valid body, so an
 * allowed caller's request reaches the handler's own logic. Every route in the description needs an entry here.
 */
interface RouteCase {
  params?: Record<string, (r: Resources) => string>;
  body?: (r: Resources) => unknown;
  /** A public route that authenticates by a request signature instead (partners' webhooks): unsigned, it is 401 for anyone. */
  signedWebhook?: true;
  /** A partner route (public at the gateway, a partner API key checked by its use case): a Cognito token is no key, 401. */
  partnerKey?: true;
}

const cases: Record<string, RouteCase> = {
  'GET /health': {},
  'GET /openapi.json': {},
  'GET /me': {},
  'PUT /me': { body: () => ({ displayName: 'Matrix caller' }) },
  'POST /signup': { body: () => ({ email: `matrix-${randomUUID()}@signup.dpm.local`, password: 'Matrix-signup-1!', role: 'customer', displayName: 'Matrix signup' }) },
  'POST /designs': { body: () => ({ title: 'Matrix design', terms: designTerms }) },
  'POST /designs/{designId}/ingest': { params: { designId: (r) => r.draftDesignId } },
  'GET /designs/{designId}': { params: { designId: (r) => r.listedDesignId } },
  'GET /designs': {},
  'GET /me/designs': {},
  'GET /designs/{designId}/preview': { params: { designId: (r) => r.listedDesignId } },
  'GET /me/designs/{designId}/preview': { params: { designId: (r) => r.listedDesignId } },
  'GET /me/ratings': {},
  'PUT /designs/{designId}/terms': { params: { designId: (r) => r.draftDesignId }, body: () => designTerms },
  'GET /designs/{designId}/terms': { params: { designId: (r) => r.listedDesignId } },
  'DELETE /designs/{designId}': { params: { designId: (r) => r.draftDesignId } },
  'POST /printers': { body: () => ({ config: printerConfig, terms: printerTerms, deviceKeys: publicKeys(generateDeviceKeys()) }) },
  'PUT /printers/{printerId}/config': { params: { printerId: (r) => r.printerId }, body: () => printerConfig },
  'PUT /printers/{printerId}/terms': { params: { printerId: (r) => r.printerId }, body: () => printerTerms },
  'GET /me/printers': {},
  'GET /printers': {},
  'POST /designs/{designId}/printability': { params: { designId: (r) => r.listedDesignId }, body: (r) => ({ printerId: r.printerId }) },
  'GET /designs/{designId}/printability': { params: { designId: (r) => r.listedDesignId } },
  'POST /quotes': { body: (r) => ({ designId: r.listedDesignId, material: 'PLA' }) },
  'POST /orders': { body: (r) => r.orderBody },
  'GET /orders/{orderId}': { params: { orderId: (r) => r.orderId } },
  'GET /orders/{orderId}/events': { params: { orderId: (r) => r.orderId } },
  'GET /me/orders': {},
  'POST /orders/{orderId}/delivery': { params: { orderId: (r) => r.orderId } },
  'POST /products/{productId}/transfer': { params: { productId: () => 'prd_000000000000000000000000' }, body: () => ({ transferId: '8e0f6a55-7c6b-4a51-9c1d-2b9f1f1d3a10', toOwnerId: 'someone' }) },
  'GET /me/payments': {},
  // Designers and operators open their payout account (the local gateway's onboarding completes at once); reading it
  // before opening one answers null, after it the account: either is past authorization.
  'POST /me/payout-account': { body: () => ({ country: 'FR' }) },
  'GET /me/payout-account': {},
  // Stripe's events authenticate by their Stripe-Signature header: unsigned, they are refused whoever sends them.
  'POST /webhooks/stripe': { body: () => ({ id: 'evt_matrix', object: 'event', type: 'account.updated', created: 1_764_633_600, data: { object: { id: 'acct_matrix', object: 'account' } } }), signedWebhook: true },
  // The matrix's order is still in its workflow, which an admin refund refuses (409): past authorization all the same.
  'POST /orders/{orderId}/refund': { params: { orderId: (r) => r.orderId }, body: () => ({ reason: 'Matrix refund' }) },
  'GET /me/jobs': {},
  // Not held by the printer (it decides by itself here): the handler answers 404 or 409, past authorization.
  'POST /jobs/{jobId}/decision': { params: { jobId: (r) => `${r.orderId}.0` }, body: () => ({ decision: 'reject', reason: 'matrix' }) },
  'POST /partners': { body: () => ({ name: 'Matrix carrier', kind: 'supplier' }) },
  'POST /partners/{partnerId}/keys': { params: { partnerId: () => 'partner-unknown' }, body: () => ({ label: 'Matrix key', scopes: ['webhooks:manage'] }) },
  'GET /partners/{partnerId}/keys': { params: { partnerId: () => 'partner-unknown' } },
  'DELETE /partners/{partnerId}/keys/{keyId}': { params: { partnerId: () => 'partner-unknown', keyId: () => '0000000000000000' } },
  'GET /partner/shipments': { partnerKey: true },
  'PUT /partner/shipments/{orderId}/label': { params: { orderId: (r) => r.orderId }, body: () => ({ trackingNumber: 'MATRIX0001' }), partnerKey: true },
  'POST /partner/material-certificates': { body: () => materialCertificate, partnerKey: true },
  'POST /partner/webhook-endpoints': { body: () => ({ url: 'https://hooks.example.com/dpm', eventTypes: ['order.delivered'] }), partnerKey: true },
  'GET /partner/webhook-endpoints': { partnerKey: true },
  'DELETE /partner/webhook-endpoints/{endpointId}': { params: { endpointId: () => 'ep_000000000000000000000000' }, partnerKey: true },
  'POST /partner/webhook-endpoints/{endpointId}/enable': { params: { endpointId: () => 'ep_000000000000000000000000' }, partnerKey: true },
  'GET /partner/webhook-deliveries': { partnerKey: true },
  'POST /partner/webhook-deliveries/{deliveryId}/replay': { params: { deliveryId: () => 'msg_00000000000000000000000000000000' }, partnerKey: true },
  'POST /webhooks/suppliers/{partnerId}': { params: { partnerId: () => 'partner-unknown' }, body: () => materialCertificate, signedWebhook: true },
  // Admin routes; the account named does not exist, so an allowed call ends in 404 and changes nobody.
  'GET /admin/operations': {},
  'GET /admin/users': {},
  'PUT /admin/users/{username}/role': { params: { username: () => 'matrix-nobody@dpm.local' }, body: () => ({ role: 'customer' }) },
  'POST /admin/users/{username}/disable': { params: { username: () => 'matrix-nobody@dpm.local' } },
  'POST /admin/users/{username}/enable': { params: { username: () => 'matrix-nobody@dpm.local' } },
  'POST /webhooks/carriers/{partnerId}': { params: { partnerId: () => 'partner-unknown' }, body: () => ({ reference: 'ord_000000000000000000000000', trackingNumber: 'X', status: 'delivered', at: '2026-12-02T00:00:00Z' }), signedWebhook: true },
  'GET /products/{productId}/epcis': { params: { productId: () => 'prd_000000000000000000000000' } },
  'GET /products/{productId}/passport': { params: { productId: () => 'prd_000000000000000000000000' } },
  'GET /me/notifications': {},
  'POST /orders/{orderId}/messages': { params: { orderId: (r) => r.orderId }, body: () => ({ messageId: '0d1f6a55-7c6b-4a51-9c1d-2b9f1f1d3a11', text: 'When will it ship?' }) },
  'GET /orders/{orderId}/messages': { params: { orderId: (r) => r.orderId } },
  'GET /me/conversations': {},
  'POST /orders/{orderId}/rating': { params: { orderId: (r) => r.orderId }, body: () => ({ designStars: 5, printerStars: 4 }) },
  // A product's GS1 Digital Link (public): a well-formed GTIN and serial of no product, which its handler answers itself.
  'GET /01/{gtin}/21/{serial}': { params: { gtin: () => '04359999000019', serial: () => 'matrix-no-such-serial' } },
};

// ---- Roles ----

/** The demo user of each group, plus nobody (no token) and a signed-in user who belongs to no group at all. */
const roles = ['anonymous', ...userGroups, 'no-group'] as const;
type Role = (typeof roles)[number];
type Outcome = 401 | 403 | 'allowed';

function expectedOutcome(route: Route, role: Role): Outcome {
  if (cases[route.key]?.signedWebhook || cases[route.key]?.partnerKey) return 401;
  if (route.auth.kind === 'public') return 'allowed';
  if (role === 'anonymous') return 401;
  return (route.auth.groups as readonly string[]).includes(role) ? 'allowed' : 403;
}

describe('authorization matrix: every route × every role', () => {
  let t: TestPlatform;
  let res: Resources;
  let idp: CognitoIdentityProviderClient;
  const agents: Awaited<ReturnType<typeof startPrinterAgent>>[] = [];

  const api = (path: string, as?: string, init: RequestInit = {}) => t.api(path, as, init);
  const json = async <T>(r: Response | Promise<Response>) => (await (await r).json()) as T;

  /** A second user, made with the Cognito admin API; their IdToken joins `t.tokens` under `name`. */
  async function addUser(name: string, group: UserGroup | undefined): Promise<void> {
    const { id: UserPoolId, clientId } = t.platform.userPool;
    const username = `${name}@matrix.dpm.local`;
    const password = 'Matrix-pass-1';
    await idp.send(new AdminCreateUserCommand({ UserPoolId, Username: username, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: username }] }));
    await idp.send(new AdminSetUserPasswordCommand({ UserPoolId, Username: username, Password: password, Permanent: true }));
    if (group) await idp.send(new AdminAddUserToGroupCommand({ UserPoolId, Username: username, GroupName: group }));
    const out = await idp.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: username, PASSWORD: password } }));
    t.tokens[name] = out.AuthenticationResult!.IdToken!;
  }

  async function createDesign(as: string, title: string, ingest: boolean): Promise<string> {
    const created = await api('/designs', as, { method: 'POST', body: JSON.stringify({ title, terms: designTerms }) });
    expect(created.status).toBe(201);
    const { design, upload } = (await created.json()) as { design: { designId: string }; upload: { url: string; contentType: string } };
    expect((await fetch(upload.url, { method: 'PUT', headers: { 'content-type': upload.contentType }, body: binaryStl(box(20, 20, 6)) })).status).toBe(200);
    if (ingest) expect((await api(`/designs/${design.designId}/ingest`, as, { method: 'POST' })).status).toBe(200);
    return design.designId;
  }

  async function registerPrinter(as: string, name: string): Promise<{ printerId: string; keys: ReturnType<typeof generateDeviceKeys>; credentials: { username: string; password: string; endpoint: string } }> {
    const keys = generateDeviceKeys();
    const r = await api('/printers', as, { method: 'POST', body: JSON.stringify({ config: { ...printerConfig, name }, terms: printerTerms, deviceKeys: publicKeys(keys) }) });
    expect(r.status).toBe(201);
    const { printer, credentials } = (await r.json()) as { printer: { printerId: string }; credentials: { username: string; password: string; endpoint: string } };
    return { printerId: printer.printerId, keys, credentials };
  }

  beforeAll(async () => {
    t = await startTestPlatform();
    idp = new CognitoIdentityProviderClient({ endpoint: t.platform.urls.cognito, region: localRegion, credentials: localCredentials });
    await Promise.all([addUser('designer-2', 'designer'), addUser('customer-2', 'customer'), addUser('printer-2', 'printer'), addUser('no-group', undefined)]);

    const listedDesignId = await createDesign('designer', 'Matrix listed design', true);
    const draftDesignId = await createDesign('designer', 'Matrix draft design', false);

    const { printerId, keys, credentials } = await registerPrinter('printer', 'Matrix MK4');
    agents.push(
      await startPrinterAgent({
        thing: printerId,
        mqttUrl: credentials.endpoint,
        username: credentials.username,
        password: credentials.password,
        keys,
        timeScale: 5000,
        telemetryMs: 60_000,
        workDir: join(t.dataDir, `agent-${printerId}`),
      }),
    );
    await until('printer online', () => json<{ printerId: string; online: boolean }[]>(api('/printers')), (l) => l.some((p) => p.printerId === printerId && p.online));

    const orderBody = { clientOrderId: crypto.randomUUID(), designId: listedDesignId, material: 'PLA', acceptedLicenseVersion: 1, paymentMethod: 'pm_card_visa', deliverTo: deliveryAddress };
    const placed = await api('/orders', 'customer', { method: 'POST', body: JSON.stringify(orderBody) });
    expect(placed.status).toBe(201);
    const { orderId } = (await placed.json()) as { orderId: string };
    res = { listedDesignId, draftDesignId, printerId, orderId, orderBody };
    // A whole platform, four users, two designs, a printer online and an order: the e2e tier's 180 s, not 60.
  }, 180_000);

  afterAll(async () => {
    for (const a of agents) await a.stop();
    idp?.destroy();
    await t?.close();
  });

  /** Calls a route as described by its case, as `as` (undefined = no token). */
  function call(route: Route, as: string | undefined, body: 'valid' | 'none' = 'valid'): Promise<Response> {
    const c = cases[route.key];
    if (!c) throw new Error(`No authorization-matrix case for ${route.key}: add one to \`cases\``);
    let path = route.path;
    for (const p of pathParams(route.path)) {
      const value = c.params?.[p];
      if (!value) throw new Error(`The case for ${route.key} has no value for {${p}}`);
      path = path.replace(new RegExp(`\\{${p}\\+?\\}`), encodeURIComponent(value(res)));
    }
    const init: RequestInit = { method: route.method };
    if (body === 'valid' && c.body) init.body = JSON.stringify(c.body(res));
    return api(path, as, init);
  }

  // A case for a route the description does not (or no longer) have is never used, and harmless.
  it('has a case for every route of the description, with a value for each path parameter', () => {
    expect(routes.length).toBeGreaterThan(0);
    expect(routes.map((r) => r.key).filter((k) => !(k in cases)), 'routes without a case in the matrix').toEqual([]);
    for (const r of routes) {
      expect(Object.keys(cases[r.key]?.params ?? {}).sort(), `path parameters of ${r.key}`).toEqual(pathParams(r.path).sort());
    }
  });

  describe.each(routes.map((r) => [r.key, r] as const))('%s', (_key, route) => {
    it.each(roles.map((role) => [role, expectedOutcome(route, role)] as const))('as %s → %s', async (role, outcome) => {
      const r = await call(route, role === 'anonymous' ? undefined : role);
      // An event stream (order tracking) stays open: its status and headers are the answer.
      const text = r.headers.get('content-type')?.startsWith('text/event-stream') ? (await r.body?.cancel(), '') : await r.text();
      if (outcome === 'allowed') {
        // Past authorization: whatever the handler answers to this request, but not an auth failure nor a crash.
        expect([401, 403], `${route.key} as ${role} answered ${r.status} ${text}`).not.toContain(r.status);
        expect(r.status, `${route.key} as ${role} answered ${r.status} ${text}`).toBeLessThan(500);
      } else {
        expect(r.status, `${route.key} as ${role} answered ${text}`).toBe(outcome);
        // A 403 must be the route-level refusal (the groups of the description), not some later check.
        if (outcome === 403) expect(JSON.parse(text)).toMatchObject({ error: 'Forbidden', message: expect.stringContaining('This route is for') });
      }
    });

    // Authorization comes before the body is read: without a body the refusals are the same, never a 400.
    if (route.auth.kind === 'groups') {
      const auth = route.auth;
      it('refuses without a body before looking at it (401 anonymous, 403 other groups)', async () => {
        expect((await call(route, undefined, 'none')).status).toBe(401);
        for (const g of userGroups.filter((g) => !auth.groups.includes(g))) expect((await call(route, g, 'none')).status, g).toBe(403);
      });

      it('refuses a token whose signature does not check out, and a malformed token (401)', async () => {
        const [h, p, s] = t.tokens[auth.groups[0]!]!.split('.');
        const tampered = `${h}.${p}.${s!.slice(0, -4)}${s!.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
        const c = cases[route.key]!;
        let path = route.path;
        for (const param of pathParams(route.path)) path = path.replace(`{${param}}`, encodeURIComponent(c.params![param]!(res)));
        for (const bearer of [tampered, 'not-a-jwt']) {
          const r = await fetch(`${t.platform.gatewayUrl}${path}`, {
            method: route.method,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
            ...(c.body ? { body: JSON.stringify(c.body(res)) } : {}),
          });
          expect(r.status).toBe(401);
        }
      });
    }
  });

  describe('partners’ API keys', () => {
    const asKey = (path: string, key: string | undefined, init: RequestInit = {}) =>
      fetch(`${t.platform.gatewayUrl}${path}`, { ...init, headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) } });
    const register = async (name: string, kind: string) => json<{ partnerId: string }>(api('/partners', 'admin', { method: 'POST', body: JSON.stringify({ name, kind }) }));
    const issue = async (partnerId: string, scopes: string[]) => {
      const r = await api(`/partners/${partnerId}/keys`, 'admin', { method: 'POST', body: JSON.stringify({ label: 'matrix', scopes }) });
      expect(r.status).toBe(201);
      return json<{ keyId: string; apiKey: string; prefix: string }>(r);
    };

    it('401 for a wrong or revoked key, 403 for a missing scope, 404 for another partner’s resource', async () => {
      const a = await register('Matrix Freight A', 'shop');
      const b = await register('Matrix Freight B', 'shop');
      const supplier = await register('Matrix Filament', 'supplier');
      const aKey = await issue(a.partnerId, ['webhooks:manage']);
      const bKey = await issue(b.partnerId, ['webhooks:manage']);
      const supplierKey = await issue(supplier.partnerId, ['materials:write']);
      // A shop cannot be given a carrier's scopes.
      expect((await api(`/partners/${a.partnerId}/keys`, 'admin', { method: 'POST', body: JSON.stringify({ label: 'x', scopes: ['shipments:read'] }) })).status).toBe(422);

      const created = await asKey('/partner/webhook-endpoints', aKey.apiKey, { method: 'POST', body: JSON.stringify({ url: 'https://hooks.example.com/a', eventTypes: ['order.delivered'] }) });
      expect(created.status).toBe(201);
      const endpoint = (await created.json()) as { endpointId: string; secret: string };
      expect(endpoint.secret).toMatch(/^whsec_/);

      // Wrong keys: none, malformed, a JWT, the right id with a wrong secret.
      for (const bad of [undefined, 'dpmk.nope', t.tokens.admin, `${aKey.prefix}.${'A'.repeat(43)}`]) expect((await asKey('/partner/webhook-endpoints', bad)).status).toBe(401);
      // Missing scope.
      expect((await asKey('/partner/webhook-endpoints', supplierKey.apiKey)).status).toBe(403);
      expect((await asKey('/partner/shipments', aKey.apiKey)).status).toBe(403);
      expect((await asKey('/partner/material-certificates', supplierKey.apiKey, { method: 'POST', body: JSON.stringify(materialCertificate) })).status).toBe(201);
      expect((await asKey('/partner/material-certificates', supplierKey.apiKey, { method: 'POST', body: JSON.stringify(materialCertificate) })).status).toBe(200);
      // Another partner's endpoint is not there for B.
      expect((await asKey(`/partner/webhook-endpoints/${endpoint.endpointId}`, bKey.apiKey, { method: 'DELETE' })).status).toBe(404);
      expect((await asKey(`/partner/webhook-endpoints/${endpoint.endpointId}/enable`, bKey.apiKey, { method: 'POST' })).status).toBe(404);
      expect(await json<unknown[]>(asKey('/partner/webhook-endpoints', bKey.apiKey))).toEqual([]);
      expect((await json<{ endpointId: string }[]>(asKey('/partner/webhook-endpoints', aKey.apiKey))).map((e) => e.endpointId)).toEqual([endpoint.endpointId]);

      // Listing shows prefixes, never secrets or hashes; another partner's key id is a 404 to revoke.
      const listed = await json<Record<string, unknown>[]>(api(`/partners/${a.partnerId}/keys`, 'admin'));
      expect(listed).toEqual([expect.objectContaining({ keyId: aKey.keyId, prefix: aKey.prefix, revokedAt: null })]);
      expect(JSON.stringify(listed)).not.toContain(aKey.apiKey.split('.')[2]);
      expect(JSON.stringify(listed)).not.toContain('secretHash');
      expect((await api(`/partners/${b.partnerId}/keys/${aKey.keyId}`, 'admin', { method: 'DELETE' })).status).toBe(404);
      // Revoked: 401 from then on.
      expect((await api(`/partners/${a.partnerId}/keys/${aKey.keyId}`, 'admin', { method: 'DELETE' })).status).toBe(200);
      expect((await asKey('/partner/webhook-endpoints', aKey.apiKey)).status).toBe(401);
      expect((await asKey(`/partner/webhook-endpoints/${endpoint.endpointId}`, bKey.apiKey, { method: 'DELETE' })).status).toBe(404);
    });
  });

  describe('another user’s resources', () => {
    it('a second designer cannot edit, withdraw or ingest the first designer’s design', async () => {
      const path = `/designs/${res.listedDesignId}`;
      const before = await json<unknown[]>(api(`${path}/terms`));
      expect((await api(`${path}/terms`, 'designer-2', { method: 'PUT', body: JSON.stringify({ ...designTerms, priceCents: 1 }) })).status).toBeOneOf([403, 404]);
      expect((await api(path, 'designer-2', { method: 'DELETE' })).status).toBeOneOf([403, 404]);
      expect((await api(`${path}/ingest`, 'designer-2', { method: 'POST' })).status).toBeOneOf([403, 404]);
      // Also the draft, which has not been ingested yet: a stranger must not ingest (and so own the registration of) it.
      const draft = await createDesign('designer', 'Matrix second draft', false);
      expect((await api(`/designs/${draft}/ingest`, 'designer-2', { method: 'POST' })).status).toBeOneOf([403, 404]);
      expect((await api(`/designs/${draft}/terms`, 'designer-2', { method: 'PUT', body: JSON.stringify(designTerms) })).status).toBeOneOf([403, 404]);
      expect((await api(`/designs/${draft}`, 'designer-2', { method: 'DELETE' })).status).toBeOneOf([403, 404]);

      // Nothing changed: the design is still listed with the same terms history, and its owner can still edit it.
      expect(await json<unknown[]>(api(`${path}/terms`))).toEqual(before);
      expect(await json<{ status: string }>(api(path))).toMatchObject({ status: 'listed' });
      expect((await api(`/designs/${draft}/ingest`, 'designer', { method: 'POST' })).status).toBe(200);
      expect((await api(`/designs/${draft}/terms`, 'designer', { method: 'PUT', body: JSON.stringify(designTerms) })).status).toBe(200);
    });

    let privateDraftId = '';
    it('a draft’s page is not public (404 to anyone, the other designer included)', async () => {
      privateDraftId = await createDesign('designer', 'Matrix private draft', false);
      expect((await api(`/designs/${privateDraftId}`)).status).toBe(404);
      expect((await api(`/designs/${privateDraftId}`, 'designer-2')).status).toBe(404);
      expect((await api('/me/designs', 'designer')).status).toBe(200);
    });

    // A draft's terms history was public once (designTermsHistory checked only that the design existed).
    it('a draft’s terms history is not public either (404, like its page)', async () => {
      expect((await api(`/designs/${privateDraftId}/terms`)).status).toBe(404);
    });

    it('a second operator cannot change the first operator’s printer', async () => {
      const path = `/printers/${res.printerId}`;
      type Listed = { printerId: string; name: string; region: string; terms: unknown };
      const listed = async () => (await json<Listed[]>(api('/printers'))).find((p) => p.printerId === res.printerId);
      const before = await listed();
      expect(before).toMatchObject({ name: printerConfig.name, region: printerConfig.region });
      const hijack = { ...printerConfig, name: 'Hijacked', region: 'Elsewhere' };
      expect((await api(`${path}/config`, 'printer-2', { method: 'PUT', body: JSON.stringify(hijack) })).status).toBeOneOf([403, 404]);
      expect((await api(`${path}/terms`, 'printer-2', { method: 'PUT', body: JSON.stringify({ ...printerTerms, feePerHourCents: 1 }) })).status).toBeOneOf([403, 404]);
      // Nothing changed: same name, region and terms version as before the attempts.
      const after = await listed();
      expect(after).toMatchObject({ name: before!.name, region: before!.region, terms: before!.terms });
    });

    it('a second operator neither sees nor decides the jobs of the first operator’s printers (404)', async () => {
      const jobId = `${res.orderId}.0`;
      // The first operator's printer took the order's first offer and lists the job once it has printed it.
      await until('the job in its operator’s list', () => json<{ jobId: string }[]>(api('/me/jobs', 'printer')), (l) => l.some((j) => j.jobId === jobId));
      expect((await json<{ jobId: string }[]>(api('/me/jobs', 'printer-2'))).map((j) => j.jobId)).not.toContain(jobId);
      const decide = (as: string) => api(`/jobs/${jobId}/decision`, as, { method: 'POST', body: JSON.stringify({ decision: 'reject' }) });
      expect((await decide('printer-2')).status).toBe(404);
      // Its own operator is told why not instead: the printer decided by itself, and the job moved on.
      expect((await decide('printer')).status).toBe(409);
    });

    it('a second customer can neither read nor confirm the delivery of the first customer’s order (404)', async () => {
      const path = `/orders/${res.orderId}`;
      expect((await api(path, 'customer')).status).toBe(200);
      expect((await api(path, 'customer-2')).status).toBe(404);
      expect((await api(`${path}/delivery`, 'customer-2', { method: 'POST' })).status).toBe(404);
      // Nor follow it live: the tracking stream refuses before it opens.
      expect((await api(`${path}/events`, 'customer-2')).status).toBe(404);
      expect((await api(`${path}/events`, 'printer-2')).status).toBe(404);
      // Neither do users of other groups unrelated to it; an admin and the design’s designer do.
      expect((await api(path, 'designer-2')).status).toBe(404);
      expect((await api(path, 'printer-2')).status).toBe(404);
      expect((await api(path, 'partner')).status).toBe(404);
      expect((await api(path, 'admin')).status).toBe(200);
      expect((await api(path, 'designer')).status).toBe(200);
      // An order id nobody placed gets the same answer as a stranger's order.
      expect((await api('/orders/no-such-order', 'customer')).status).toBe(404);
    });

    it('the /me lists hold only the caller’s own items', async () => {
      const ids = <T extends Record<K, string>, K extends string>(list: T[], k: K) => list.map((i) => i[k]);

      const ownDesign = await createDesign('designer-2', 'Second designer’s design', false);
      const mineD1 = ids(await json<{ designId: string }[]>(api('/me/designs', 'designer')), 'designId');
      const mineD2 = ids(await json<{ designId: string }[]>(api('/me/designs', 'designer-2')), 'designId');
      expect(mineD1).toEqual(expect.arrayContaining([res.listedDesignId, res.draftDesignId]));
      expect(mineD1).not.toContain(ownDesign);
      expect(mineD2).toEqual([ownDesign]);

      const ownPrinter = (await registerPrinter('printer-2', 'Second operator’s printer')).printerId;
      const mineP1 = ids(await json<{ printerId: string }[]>(api('/me/printers', 'printer')), 'printerId');
      const mineP2 = ids(await json<{ printerId: string }[]>(api('/me/printers', 'printer-2')), 'printerId');
      expect(mineP1).toContain(res.printerId);
      expect(mineP1).not.toContain(ownPrinter);
      expect(mineP2).toEqual([ownPrinter]);

      const mineO1 = ids(await json<{ orderId: string }[]>(api('/me/orders', 'customer')), 'orderId');
      const mineO2 = await json<{ orderId: string }[]>(api('/me/orders', 'customer-2'));
      expect(mineO1).toContain(res.orderId);
      expect(mineO2).toEqual([]);
    });

    it('a payout account is the caller’s own; a signed Stripe-shaped account.updated reaches it once', async () => {
      const opened = await api('/me/payout-account', 'printer-2', { method: 'POST', body: JSON.stringify({ country: 'DE' }) });
      expect(opened.status).toBe(201);
      const { account, onboarding } = (await opened.json()) as { account: { accountId: string; ready: boolean }; onboarding: { url: string } };
      expect(account).toMatchObject({ accountId: expect.stringMatching(/^acct_local_/), ready: true });
      expect(new URL(onboarding.url).searchParams.get('account')).toBe(account.accountId);
      const none = await api('/me/payout-account', 'designer-2');
      expect(none.status).toBe(200);
      expect(await none.json()).toBeNull();

      // The embedded platform's endpoint secret (DPM_STRIPE_WEBHOOK_SECRET, by default whsec_dpm_local) signs it.
      const { userId } = await json<{ userId: string }>(api('/me', 'printer-2'));
      const payload = JSON.stringify({
        id: `evt_${crypto.randomUUID().replaceAll('-', '')}`,
        object: 'event',
        type: 'account.updated',
        created: Math.floor(Date.now() / 1000),
        data: {
          object: {
            id: account.accountId,
            object: 'account',
            charges_enabled: false,
            payouts_enabled: false,
            details_submitted: true,
            capabilities: { transfers: 'inactive' },
            requirements: { currently_due: ['individual.verification.document'], past_due: [], disabled_reason: 'requirements.past_due' },
            metadata: { userId },
          },
        },
      });
      const deliver = () => api('/webhooks/stripe', undefined, { method: 'POST', body: payload, headers: { 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_dpm_local' }) } });
      expect(await json(deliver())).toMatchObject({ kind: 'account-updated', duplicate: false, effect: 'status-updated' });
      expect(await json(api('/me/payout-account', 'printer-2'))).toMatchObject({ accountId: account.accountId, ready: false, requirementsDue: ['individual.verification.document'] });
      expect(await json(deliver())).toMatchObject({ duplicate: true });
      const forged = await api('/webhooks/stripe', undefined, { method: 'POST', body: payload, headers: { 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_guess' }) } });
      expect(forged.status).toBe(401);
    });

    it('GET /me/conversations lists only the conversations the caller is part of', async () => {
      type Conversation = { orderId: string; as: string; last: { from: string; text: string } };
      const listed = async (as: string) => (await json<Conversation[]>(api('/me/conversations', as))).filter((c) => c.orderId === res.orderId);
      const say = (as: string, text: string) => api(`/orders/${res.orderId}/messages`, as, { method: 'POST', body: JSON.stringify({ messageId: randomUUID(), text }) });
      expect((await say('customer', 'Is the colour right?')).status).toBe(201);
      expect(await listed('customer')).toEqual([expect.objectContaining({ as: 'customer', last: expect.objectContaining({ from: 'customer', text: 'Is the colour right?' }) })]);
      // The operator of the printer the order was given to sees it once they are part of it; strangers never do.
      await until('order given to the printer', () => json<{ attempts: { printerId: string }[] }>(api(`/orders/${res.orderId}`, 'customer')), (o) => o.attempts.some((a) => a.printerId === res.printerId));
      expect((await say('printer', 'It is.')).status).toBe(201);
      expect(await listed('printer')).toEqual([expect.objectContaining({ as: 'printer', last: expect.objectContaining({ from: 'printer', text: 'It is.' }) })]);
      expect(await listed('customer')).toEqual([expect.objectContaining({ last: expect.objectContaining({ text: 'It is.' }) })]);
      for (const stranger of ['customer-2', 'printer-2', 'designer', 'partner']) expect(await listed(stranger)).toEqual([]);
    });

    it('PUT /me edits the caller’s own profile only', async () => {
      expect((await api('/me', 'designer-2', { method: 'PUT', body: JSON.stringify({ displayName: 'Second designer' }) })).status).toBe(200);
      const me2 = await json<{ userId: string; profile: { displayName: string } | null }>(api('/me', 'designer-2'));
      const me1 = await json<{ userId: string; profile: { displayName: string } | null }>(api('/me', 'designer'));
      expect(me2.profile?.displayName).toBe('Second designer');
      expect(me1.userId).not.toBe(me2.userId);
      expect(me1.profile?.displayName).not.toBe('Second designer');
    });
  });
});
