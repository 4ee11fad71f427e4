// The one description of the platform. The CDK constructs (infra/constructs) and the embedded runtime
// (local/) both read this file and nothing else, so the cloud and the local platform cannot drift apart.
// Pure data: no aws-cdk-lib import, so the local runtime can load it cheaply.

export const userGroups = ['designer', 'customer', 'printer', 'admin', 'partner'] as const;
export type UserGroup = (typeof userGroups)[number];

/** Who may call a route: nobody needs a token (`public`), or any of the listed Cognito groups. */
export type RouteAuth = { kind: 'public' } | { kind: 'groups'; groups: readonly UserGroup[] };

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  method: HttpMethod;
  /** API Gateway HTTP API path syntax, e.g. `/designs/{designId}`. */
  path: string;
  auth: RouteAuth;
}

export interface TableSpec {
  partitionKey: string;
  sortKey?: string;
  indexes: readonly { name: string; partitionKey: string; sortKey?: string }[];
  /** Attribute holding an epoch-seconds expiry; absent = no TTL. */
  ttlAttribute?: string;
}

export interface BucketSpec {
  /** The KMS key (from `keys`) that encrypts the bucket at rest. */
  key: keyof typeof keys;
  /** Browsers upload straight to S3 with presigned PUTs, so the bucket needs CORS. */
  browserUploads: boolean;
  /** Objects under this prefix expire after a day: quarantined uploads awaiting ingest. */
  quarantinePrefix?: string;
}

export interface KeySpec {
  usage: 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY';
  spec: 'SYMMETRIC_DEFAULT' | 'ECC_NIST_EDWARDS25519';
  description: string;
}

export interface QueueSpec {
  fifo: boolean;
  visibilityTimeoutSeconds: number;
  /** Receives after which a message moves to the queue's dead-letter queue. */
  maxReceiveCount: number;
  /** How long a message may stay on the queue; absent = the SQS default of 4 days. */
  retentionDays?: number;
}

export type Access = 'read' | 'readWrite';

/** What a function touches. Each entry sets the function's env var and its IAM grant together. */
export interface Uses {
  tables?: Partial<Record<keyof typeof tables, Access>>;
  buckets?: Partial<Record<keyof typeof buckets, Access>>;
  /** `encrypt` = GenerateDataKey/Encrypt/Decrypt; `sign` = Sign/Verify/GetPublicKey; `verify` = Verify/GetPublicKey. */
  keys?: Partial<Record<keyof typeof keys, 'encrypt' | 'decrypt' | 'sign' | 'verify'>>;
  /** `send` = SendMessage; `read` = GetQueueAttributes of the queue and its dead-letter queue (depths, for the admin dashboard). */
  queues?: Partial<Record<keyof typeof queues, 'send' | 'read'>>;
  eventBus?: 'put';
  /** `start` = StartExecution; `respond` = SendTaskSuccess/Failure/Heartbeat; `read` = ListExecutions/DescribeExecution. */
  workflows?: Partial<Record<keyof typeof workflows, 'start' | 'respond' | 'read'>>;
  userPool?: 'admin';
  /**
   * Its public routes take an optional sign-in, which the function checks itself against the pool's keys: API
   * Gateway's JWT authorizer refuses a request without a token, so it cannot make one optional. Binds the pool's
   * issuer and app client id.
   */
  optionalSignIn?: boolean;
  /** Creates IoT things and their credentials for printers (IoT Core, or the local broker's registry). */
  printerIdentities?: boolean;
  /** Reads and writes printers' device shadows. */
  printerShadows?: boolean;
  /** Publishes messages to printers' own topics. */
  printerMessages?: boolean;
  /** The function writes to / reads from the BigchainDB network (URL and auth headers from config). */
  ledger?: boolean;
  /** Takes or moves money: Stripe in AWS (its API key from Secrets Manager), the local gateway on the embedded platform. */
  payments?: boolean;
  /** Verifies payment webhooks: Stripe's endpoint secret from Secrets Manager in AWS, the local platform's own secret. */
  paymentWebhooks?: boolean;
  /** Writes public URLs (the Digital Link on a product's tag): needs the public site's base URL. */
  publicUrls?: boolean;
}

export type Trigger =
  /** `maxConcurrency`: batches handled at once (the event source mapping's MaximumConcurrency, 2–1000). */
  | { kind: 'queue'; queue: keyof typeof queues; batchSize: number; maxConcurrency: number }
  | { kind: 'rule'; rule: keyof typeof eventRules }
  | { kind: 'workflowTask'; workflow: keyof typeof workflows }
  /** Messages printers publish on an MQTT topic filter: an IoT topic rule in AWS, a broker subscription locally. */
  | { kind: 'printerTopic'; topic: string };

export interface FunctionSpec {
  /** Handler module, relative to the repo root; it exports `handler`. */
  entry: string;
  description: string;
  routes: readonly RouteSpec[];
  triggers: readonly Trigger[];
  uses: Uses;
  timeoutSeconds: number;
  memoryMb: number;
  /**
   * The handler streams its response (Server-Sent Events) with Lambda response streaming. HTTP APIs buffer responses,
   * so in AWS its routes are not on the HTTP API: each is a CloudFront behaviour (`/api` + the path, parameters as `*`)
   * to the function's URL (InvokeMode RESPONSE_STREAM, IAM auth signed by CloudFront's origin access control). No JWT
   * authorizer stands there, so the function checks the bearer token itself (binds the pool's issuer and app client
   * id, as `optionalSignIn` does). The local gateway streams it directly.
   */
  responseStreaming?: boolean;
}

/**
 * Where a response-streaming function finds the viewer's `Authorization` header in AWS: CloudFront's origin access
 * control signs the request to the function URL with SigV4 in `Authorization`, so a CloudFront Function copies the
 * viewer's bearer token here first.
 */
export const viewerAuthorizationHeader = 'x-dpm-viewer-authorization';

export interface EventRuleSpec {
  description: string;
  /** An EventBridge event pattern, matched locally by the same rules as in AWS. */
  pattern: Record<string, unknown>;
}

export interface WorkflowSpec {
  description: string;
  /** ASL file, relative to the repo root. `${fn:<functionKey>}` placeholders name the Lambda of each Task. */
  definition: string;
}

export const tables = {
  /** Single-table store for designs, orders, printers, partners and their indexes. */
  main: {
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
    ttlAttribute: 'expiresAt',
  },
  /** Records of handled requests and events, so a retried state change is not applied twice. */
  idempotency: { partitionKey: 'id', indexes: [], ttlAttribute: 'expiresAt' },
} as const satisfies Record<string, TableSpec>;

export const keys = {
  /** Wraps the per-object data keys of designs and print files. */
  data: { usage: 'ENCRYPT_DECRYPT', spec: 'SYMMETRIC_DEFAULT', description: 'DPM data keys for designs and print files' },
  /** The platform's Ed25519 ledger identity; it never leaves KMS. */
  ledgerSigning: { usage: 'SIGN_VERIFY', spec: 'ECC_NIST_EDWARDS25519', description: 'DPM ledger signing key (Ed25519)' },
  /** Signs the Digital Link on each product's tag; apart from the ledger key, so each key has one use. */
  tagSigning: { usage: 'SIGN_VERIFY', spec: 'ECC_NIST_EDWARDS25519', description: 'DPM product tag signing key (Ed25519)' },
} as const satisfies Record<string, KeySpec>;

export const buckets = {
  designs: { key: 'data', browserUploads: true, quarantinePrefix: 'quarantine/' },
  /** Designs' reduced preview meshes (sealed too), apart from the designs so the public function serving them cannot read one. */
  previews: { key: 'data', browserUploads: false },
  printFiles: { key: 'data', browserUploads: false },
} as const satisfies Record<string, BucketSpec>;

export const queues = {
  /** Ledger steps, grouped by asset so each product's memory is written in order. */
  ledger: { fifo: true, visibilityTimeoutSeconds: 60, maxReceiveCount: 5 },
  /**
   * Wake-up calls for outbound partner webhooks, one message per delivery for all its attempts (hidden between them for
   * up to 12 h). Standard, not FIFO: deliveries are independent. Receives are ~12 per delivery plus replays and crash
   * retries, hence the high dead-letter threshold; messages outlive the ~3-day retry schedule with room to spare.
   */
  webhooks: { fifo: false, visibilityTimeoutSeconds: 120, maxReceiveCount: 40, retentionDays: 7 },
} as const satisfies Record<string, QueueSpec>;

export const eventBusName = 'dpm';

export const eventRules = {
  /** Every domain event that becomes a step of a product's memory. */
  ledgerSteps: {
    description: 'Domain events written to the ledger',
    pattern: { source: ['dpm'], 'detail-type': [{ prefix: 'ledger.' }] },
  },
  /** Domain events partners hear about through their webhooks: a shipment to carry, a delivery made. */
  partnerEvents: {
    description: 'Domain events that become partners’ webhooks',
    pattern: { source: ['dpm'], 'detail-type': ['ledger.product.shipped', 'ledger.product.delivered'] },
  },
} as const satisfies Record<string, EventRuleSpec>;

/**
 * MQTT topics a printer may use, with `{thing}` for its own thing name. The AWS IoT policy
 * (`${iot:Connection.Thing.ThingName}`) and the local broker's ACL are both generated from this list.
 */
export const printerTopics = {
  publish: ['dpm/printers/{thing}/*', '$aws/things/{thing}/shadow/*', '$aws/things/{thing}/jobs/*'],
  subscribe: ['dpm/printers/{thing}/*', '$aws/things/{thing}/shadow/*', '$aws/things/{thing}/jobs/*'],
} as const;

/** The IoT thing type and policy every printer gets, in IoT Core (the local broker applies the same topics). */
export const printerThingType = 'dpm-printer';
export const printerPolicyName = 'dpm-printer';

export const workflows = {
  /** One execution per order, named after it: licence, escrow, dispatch, print, tag, ship, deliver, release or refund. */
  order: { description: 'DPM order: licence, escrow, print, tag, ship, deliver, release or refund', definition: 'infra/workflows/order.asl.json' },
} as const satisfies Record<string, WorkflowSpec>;

/** The 13 leading digits of the GTIN-14 on every product's tag (a GS1 company prefix the operator owns, and the item). */
export const gtinBase = '0435999900001';

const anyUser: RouteAuth = { kind: 'groups', groups: userGroups };
const designers: RouteAuth = { kind: 'groups', groups: ['designer'] };
const operators: RouteAuth = { kind: 'groups', groups: ['printer'] };
const customers: RouteAuth = { kind: 'groups', groups: ['customer'] };
const payees: RouteAuth = { kind: 'groups', groups: ['designer', 'printer'] };

const admins: RouteAuth = { kind: 'groups', groups: ['admin'] };
const orderTask = { kind: 'workflowTask', workflow: 'order' } as const;
/**
 * Partners' own API: public at the gateway, because API Gateway's JWT authorizer cannot check our API keys; every use
 * case behind these routes authenticates the `Authorization: Bearer dpmk.…` key and checks its scope itself.
 */
const partnerKeyAuth: RouteAuth = { kind: 'public' };

export const functions = {
  health: {
    entry: 'functions/platform/get-health.ts',
    description: 'Reports the health of each component',
    routes: [{ method: 'GET', path: '/health', auth: { kind: 'public' } }],
    triggers: [],
    uses: { tables: { main: 'read' }, buckets: { designs: 'read' }, ledger: true },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  openApi: {
    entry: 'functions/platform/get-openapi.ts',
    description: 'The OpenAPI 3.1 document of this API, generated from the description and the request schemas',
    routes: [{ method: 'GET', path: '/openapi.json', auth: { kind: 'public' } }],
    triggers: [],
    uses: {},
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  whoAmI: {
    entry: 'functions/platform/get-me.ts',
    description: "Returns the caller's identity as the platform sees it",
    routes: [{ method: 'GET', path: '/me', auth: anyUser }],
    triggers: [],
    uses: { tables: { main: 'read' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  signUp: {
    entry: 'functions/platform/sign-up.ts',
    description: 'Opens a designer, customer or printer-operator account (admins make the others)',
    routes: [{ method: 'POST', path: '/signup', auth: { kind: 'public' } }],
    triggers: [],
    uses: { tables: { main: 'readWrite' }, userPool: 'admin' },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  updateMyProfile: {
    entry: 'functions/platform/update-my-profile.ts',
    description: "Edits the caller's own profile",
    routes: [{ method: 'PUT', path: '/me', auth: anyUser }],
    triggers: [],
    uses: { tables: { main: 'readWrite' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  createDesign: {
    entry: 'functions/designs/create-design.ts',
    description: 'Starts a design and hands out a presigned upload URL for its STL',
    routes: [{ method: 'POST', path: '/designs', auth: designers }],
    triggers: [],
    uses: { tables: { main: 'readWrite' }, buckets: { designs: 'readWrite' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  ingestDesign: {
    entry: 'functions/designs/ingest-design.ts',
    description: 'Parses, checks, fingerprints and seals an uploaded STL, then registers the design',
    routes: [{ method: 'POST', path: '/designs/{designId}/ingest', auth: designers }],
    triggers: [],
    uses: { tables: { main: 'readWrite' }, buckets: { designs: 'readWrite', previews: 'readWrite' }, keys: { data: 'encrypt' }, eventBus: 'put' },
    timeoutSeconds: 29,
    memoryMb: 2048,
  },
  getDesign: {
    entry: 'functions/designs/get-design.ts',
    description: 'The public page of a design',
    routes: [{ method: 'GET', path: '/designs/{designId}', auth: { kind: 'public' } }],
    triggers: [],
    uses: { tables: { main: 'read' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  designPreview: {
    entry: 'functions/designs/get-design-preview.ts',
    description: 'A design’s reduced preview mesh (binary STL) for the 3D viewer: a listed design’s for anyone, a draft’s for its designer',
    routes: [
      { method: 'GET', path: '/designs/{designId}/preview', auth: { kind: 'public' } },
      { method: 'GET', path: '/me/designs/{designId}/preview', auth: designers },
    ],
    triggers: [],
    uses: { tables: { main: 'read' }, buckets: { previews: 'read' }, keys: { data: 'decrypt' } },
    timeoutSeconds: 10,
    memoryMb: 512,
  },
  searchDesigns: {
    entry: 'functions/designs/search-designs.ts',
    description: 'Searches the catalogue: text, material, size and price, paginated',
    routes: [{ method: 'GET', path: '/designs', auth: { kind: 'public' } }],
    triggers: [],
    uses: { tables: { main: 'read' } },
    timeoutSeconds: 10,
    memoryMb: 512,
  },
  listMyDesigns: {
    entry: 'functions/designs/list-my-designs.ts',
    description: "A designer's own designs, drafts and rejections included",
    routes: [{ method: 'GET', path: '/me/designs', auth: designers }],
    triggers: [],
    uses: { tables: { main: 'read' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  myRatings: {
    entry: 'functions/orders/my-ratings.ts',
    description: 'The ratings and feedback a designer received, newest first, with their mean',
    routes: [{ method: 'GET', path: '/me/ratings', auth: designers }],
    triggers: [],
    uses: { tables: { main: 'read' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  updateDesignTerms: {
    entry: 'functions/designs/update-design-terms.ts',
    description: 'Publishes a new version of a design’s license terms',
    routes: [{ method: 'PUT', path: '/designs/{designId}/terms', auth: designers }],
    triggers: [],
    uses: { tables: { main: 'readWrite' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  designTermsHistory: {
    entry: 'functions/designs/design-terms-history.ts',
    description: 'Every version of a design’s license terms',
    routes: [{ method: 'GET', path: '/designs/{designId}/terms', auth: { kind: 'public' } }],
    triggers: [],
    uses: { tables: { main: 'read' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  withdrawDesign: {
    entry: 'functions/designs/withdraw-design.ts',
    description: 'Withdraws a design from sale; its history stays',
    routes: [{ method: 'DELETE', path: '/designs/{designId}', auth: designers }],
    triggers: [],
    uses: { tables: { main: 'readWrite' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  registerPrinter: {
    entry: 'functions/printers/register-printer.ts',
    description: 'Registers a printer: its record, an IoT identity confined to its topics, its configuration as desired shadow',
    routes: [{ method: 'POST', path: '/printers', auth: operators }],
    triggers: [],
    uses: { tables: { main: 'readWrite' }, printerIdentities: true, printerShadows: true },
    timeoutSeconds: 15,
    memoryMb: 256,
  },
  updatePrinterConfig: {
    entry: 'functions/printers/update-printer-config.ts',
    description: 'Changes a printer’s configuration and sends it to the printer as desired shadow state',
    routes: [{ method: 'PUT', path: '/printers/{printerId}/config', auth: operators }],
    triggers: [],
    uses: { tables: { main: 'readWrite' }, printerShadows: true },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  updatePrinterTerms: {
    entry: 'functions/printers/update-printer-terms.ts',
    description: 'Publishes a new version of a printer’s terms',
    routes: [{ method: 'PUT', path: '/printers/{printerId}/terms', auth: operators }],
    triggers: [],
    uses: { tables: { main: 'readWrite' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  listMyPrinters: {
    entry: 'functions/printers/list-my-printers.ts',
    description: "An operator's printers with what each last reported",
    routes: [{ method: 'GET', path: '/me/printers', auth: operators }],
    triggers: [],
    uses: { tables: { main: 'read' }, printerShadows: true },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  listPrinters: {
    entry: 'functions/printers/list-printers.ts',
    description: 'The printers customers can choose from, with their capabilities, terms and status',
    routes: [{ method: 'GET', path: '/printers', auth: { kind: 'public' } }],
    triggers: [],
    uses: { tables: { main: 'read' }, printerShadows: true },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  requestPrintabilityProof: {
    entry: 'functions/printers/request-printability-proof.ts',
    description: 'Asks a printer to check a listed design against its own profile and sign the answer',
    routes: [{ method: 'POST', path: '/designs/{designId}/printability', auth: { kind: 'groups', groups: ['designer', 'customer', 'printer'] } }],
    triggers: [],
    uses: { tables: { main: 'read' }, printerMessages: true },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  recordPrintabilityProof: {
    entry: 'functions/printers/record-printability-proof.ts',
    description: 'Keeps a printer’s signed proof of printability once its signature checks out',
    routes: [],
    triggers: [{ kind: 'printerTopic', topic: 'dpm/printers/+/printability' }],
    uses: { tables: { main: 'readWrite' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  listPrintabilityProofs: {
    entry: 'functions/printers/list-printability-proofs.ts',
    description: 'The signed proofs of printability of a design, with each printer’s public key to check them',
    routes: [{ method: 'GET', path: '/designs/{designId}/printability', auth: { kind: 'public' } }],
    triggers: [],
    uses: { tables: { main: 'read' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  quoteOrder: {
    entry: 'functions/orders/quote-order.ts',
    description: 'Prices a print of a design on a chosen or matched printer, itemized',
    routes: [{ method: 'POST', path: '/quotes', auth: customers }],
    triggers: [],
    uses: { tables: { main: 'read' }, printerShadows: true },
    timeoutSeconds: 10,
    memoryMb: 512,
  },
  placeOrder: {
    entry: 'functions/orders/place-order.ts',
    description: 'Places an order under the accepted terms and starts its workflow, idempotently',
    routes: [{ method: 'POST', path: '/orders', auth: customers }],
    triggers: [],
    uses: { tables: { main: 'readWrite' }, keys: { data: 'encrypt' }, printerShadows: true, workflows: { order: 'start' } },
    timeoutSeconds: 10,
    memoryMb: 512,
  },
  getOrder: {
    entry: 'functions/orders/get-order.ts',
    description: 'An order as its customer, its designer, its printers’ operators or an admin may see it',
    routes: [{ method: 'GET', path: '/orders/{orderId}', auth: anyUser }],
    triggers: [],
    uses: { tables: { main: 'read' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  watchOrder: {
    entry: 'functions/orders/watch-order.ts',
    description: 'An order as Server-Sent Events, sent again whenever it changes (status, layer of the print), for those who may see it',
    routes: [{ method: 'GET', path: '/orders/{orderId}/events', auth: anyUser }],
    triggers: [],
    uses: { tables: { main: 'read' } },
    timeoutSeconds: 60,
    memoryMb: 256,
    responseStreaming: true,
  },
  listMyOrders: {
    entry: 'functions/orders/list-my-orders.ts',
    description: "A customer's orders, newest first",
    routes: [{ method: 'GET', path: '/me/orders', auth: customers }],
    triggers: [],
    uses: { tables: { main: 'read' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  myNotifications: {
    entry: 'functions/orders/my-notifications.ts',
    description: 'The caller’s in-app notifications (the same ones go to the outbox for e-mail)',
    routes: [{ method: 'GET', path: '/me/notifications', auth: anyUser }],
    triggers: [],
    uses: { tables: { main: 'read' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  listMyJobs: {
    entry: 'functions/orders/list-my-jobs.ts',
    description: 'An operator’s jobs: offers held for a decision, jobs printing and just finished, on their own printers',
    routes: [{ method: 'GET', path: '/me/jobs', auth: operators }],
    triggers: [],
    uses: { tables: { main: 'read' }, printerShadows: true },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  decideJob: {
    entry: 'functions/orders/decide-job.ts',
    description: 'The operator accepts or rejects an offer their printer holds; the printer answers the order, signed',
    routes: [{ method: 'POST', path: '/jobs/{jobId}/decision', auth: operators }],
    triggers: [],
    uses: { tables: { main: 'read' }, printerShadows: true, printerMessages: true },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  myPayments: {
    entry: 'functions/orders/my-payments.ts',
    description: 'The caller’s payment history: balances and statement lines of their own accounts',
    routes: [{ method: 'GET', path: '/me/payments', auth: anyUser }],
    triggers: [],
    uses: { tables: { main: 'read' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  openPayoutAccount: {
    entry: 'functions/payments/open-payout-account.ts',
    description: 'A designer or operator opens their Stripe Express account (once) and gets an onboarding link',
    routes: [{ method: 'POST', path: '/me/payout-account', auth: payees }],
    triggers: [],
    uses: { tables: { main: 'readWrite' }, payments: true, publicUrls: true },
    timeoutSeconds: 15,
    memoryMb: 256,
  },
  getPayoutAccount: {
    entry: 'functions/payments/get-payout-account.ts',
    description: 'The caller’s payout account: transfers, charges and payouts enabled, requirements due',
    routes: [{ method: 'GET', path: '/me/payout-account', auth: payees }],
    triggers: [],
    uses: { tables: { main: 'read' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  stripeWebhook: {
    entry: 'functions/payments/stripe-webhook.ts',
    description: 'Stripe’s signed events (accounts, refunds, disputes) applied once each to accounts, orders and the books',
    routes: [{ method: 'POST', path: '/webhooks/stripe', auth: { kind: 'public' } }],
    triggers: [],
    uses: { tables: { main: 'readWrite' }, payments: true, paymentWebhooks: true },
    timeoutSeconds: 30,
    memoryMb: 256,
  },
  refundDeliveredOrder: {
    entry: 'functions/orders/refund-delivered-order.ts',
    description: 'An admin refunds a completed order: transfers reversed, charge refunded, books reversed',
    routes: [{ method: 'POST', path: '/orders/{orderId}/refund', auth: admins }],
    triggers: [],
    uses: { tables: { main: 'readWrite' }, payments: true },
    timeoutSeconds: 30,
    memoryMb: 256,
  },
  confirmDelivery: {
    entry: 'functions/orders/confirm-delivery.ts',
    description: 'The customer confirms the product arrived; the escrow is then released',
    routes: [{ method: 'POST', path: '/orders/{orderId}/delivery', auth: customers }],
    triggers: [],
    uses: { tables: { main: 'readWrite' }, workflows: { order: 'respond' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  rateOrder: {
    entry: 'functions/orders/rate-order.ts',
    description: 'The customer rates the designer and the printer of a delivered order, once',
    routes: [{ method: 'POST', path: '/orders/{orderId}/rating', auth: customers }],
    triggers: [],
    uses: { tables: { main: 'readWrite' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  postOrderMessage: {
    entry: 'functions/orders/post-order-message.ts',
    description: 'The customer or the printer’s operator writes about an order',
    routes: [{ method: 'POST', path: '/orders/{orderId}/messages', auth: { kind: 'groups', groups: ['customer', 'printer'] } }],
    triggers: [],
    uses: { tables: { main: 'readWrite' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  listOrderMessages: {
    entry: 'functions/orders/list-order-messages.ts',
    description: 'The conversation about an order, for its customer and the printer’s operator',
    routes: [{ method: 'GET', path: '/orders/{orderId}/messages', auth: { kind: 'groups', groups: ['customer', 'printer'] } }],
    triggers: [],
    uses: { tables: { main: 'read' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  listMyConversations: {
    entry: 'functions/orders/list-my-conversations.ts',
    description: 'The order conversations the caller is part of, as a customer or a printer’s operator, with their latest message',
    routes: [{ method: 'GET', path: '/me/conversations', auth: anyUser }],
    triggers: [],
    uses: { tables: { main: 'read' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  transferOwnership: {
    entry: 'functions/orders/transfer-ownership.ts',
    description: 'The owner of a delivered product passes it on (resale); the transfer goes to the ledger',
    routes: [{ method: 'POST', path: '/products/{productId}/transfer', auth: anyUser }],
    triggers: [],
    uses: { tables: { main: 'readWrite' }, eventBus: 'put' },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  reserveLicense: {
    entry: 'functions/orders/reserve-license.ts',
    description: 'Order step: takes a print from the design’s edition, never more than it holds',
    routes: [],
    triggers: [orderTask],
    uses: { tables: { main: 'readWrite' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  chargeEscrow: {
    entry: 'functions/orders/charge-escrow.ts',
    description: 'Order step: charges the customer into escrow, once',
    routes: [],
    triggers: [orderTask],
    uses: { tables: { main: 'readWrite' }, payments: true },
    timeoutSeconds: 30,
    memoryMb: 256,
  },
  dispatchPrintJob: {
    entry: 'functions/orders/dispatch-print-job.ts',
    description: 'Order step: slices the design for the next matching printer, seals the G-code to it and offers the job',
    routes: [],
    triggers: [orderTask],
    uses: { tables: { main: 'readWrite' }, buckets: { designs: 'read', printFiles: 'readWrite' }, keys: { data: 'decrypt' }, printerShadows: true, printerMessages: true, workflows: { order: 'respond' } },
    timeoutSeconds: 300,
    memoryMb: 2048,
  },
  awaitPrint: {
    entry: 'functions/orders/await-print.ts',
    description: 'Order step: waits for the accepted job to be printed',
    routes: [],
    triggers: [orderTask],
    uses: { tables: { main: 'readWrite' }, workflows: { order: 'respond' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  recordJobReport: {
    entry: 'functions/orders/record-job-report.ts',
    description: 'Printers’ signed answers, progress and results for their jobs, passed to the waiting order step',
    routes: [],
    triggers: [
      { kind: 'printerTopic', topic: 'dpm/printers/+/status' },
      { kind: 'printerTopic', topic: 'dpm/printers/+/progress' },
    ],
    uses: { tables: { main: 'readWrite' }, workflows: { order: 'respond' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  tagProduct: {
    entry: 'functions/orders/tag-product.ts',
    description: 'Order step: the product gets its serial, signed Digital Link and NFC tag key (written by its printer), and goes on the ledger',
    routes: [],
    triggers: [orderTask],
    uses: { tables: { main: 'readWrite' }, keys: { tagSigning: 'sign', data: 'encrypt' }, eventBus: 'put', publicUrls: true, printerMessages: true },
    timeoutSeconds: 15,
    memoryMb: 256,
  },
  shipProduct: {
    entry: 'functions/orders/ship-product.ts',
    description: 'Order step: hands the product to the carrier',
    routes: [],
    triggers: [orderTask],
    uses: { tables: { main: 'readWrite' }, eventBus: 'put' },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  awaitDelivery: {
    entry: 'functions/orders/await-delivery.ts',
    description: 'Order step: waits for the carrier’s or the customer’s confirmation of delivery',
    routes: [],
    triggers: [orderTask],
    uses: { tables: { main: 'readWrite' }, workflows: { order: 'respond' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  releaseEscrow: {
    entry: 'functions/orders/release-escrow.ts',
    description: 'Order step: splits the escrow into royalty, printing fee and commission; the product passes to its owner',
    routes: [],
    triggers: [orderTask],
    uses: { tables: { main: 'readWrite' }, eventBus: 'put', payments: true },
    timeoutSeconds: 30,
    memoryMb: 256,
  },
  refundOrder: {
    entry: 'functions/orders/refund-order.ts',
    description: 'Order step: every failure ends here, with the money back and the licence returned',
    routes: [],
    triggers: [orderTask],
    uses: { tables: { main: 'readWrite' }, payments: true },
    timeoutSeconds: 30,
    memoryMb: 256,
  },
  verifyProduct: {
    entry: 'functions/products/verify-product.ts',
    description: 'Resolves a product’s Digital Link: the authenticity verdict and the product’s memory from the ledger; a signed-in customer’s first tap on the tag confirms the delivery',
    routes: [{ method: 'GET', path: '/01/{gtin}/21/{serial}', auth: { kind: 'public' } }],
    triggers: [],
    uses: { tables: { main: 'readWrite' }, keys: { tagSigning: 'verify', data: 'decrypt' }, ledger: true, optionalSignIn: true, workflows: { order: 'respond' } },
    timeoutSeconds: 10,
    memoryMb: 512,
  },
  productEpcis: {
    entry: 'functions/products/get-epcis.ts',
    description: 'A product’s memory as GS1 EPCIS 2.0 events (JSON-LD), from the verified ledger',
    routes: [{ method: 'GET', path: '/products/{productId}/epcis', auth: { kind: 'public' } }],
    triggers: [],
    uses: { tables: { main: 'read' }, ledger: true },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  productPassport: {
    entry: 'functions/products/get-passport.ts',
    description: 'A product’s digital product passport, from the verified ledger',
    routes: [{ method: 'GET', path: '/products/{productId}/passport', auth: { kind: 'public' } }],
    triggers: [],
    uses: { tables: { main: 'read' }, ledger: true },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  adminOperations: {
    entry: 'functions/admin/get-operations.ts',
    description: 'The admin dashboard: orders per minute, workflow failures, ledger backlog and commit latency, printers online, errors',
    routes: [{ method: 'GET', path: '/admin/operations', auth: admins }],
    triggers: [],
    uses: { tables: { main: 'read' }, queues: { ledger: 'read' }, workflows: { order: 'read' }, printerShadows: true },
    timeoutSeconds: 15,
    memoryMb: 256,
  },
  adminListUsers: {
    entry: 'functions/admin/list-users.ts',
    description: 'Accounts with their roles and whether they may sign in, searchable by e-mail',
    routes: [{ method: 'GET', path: '/admin/users', auth: admins }],
    triggers: [],
    uses: { userPool: 'admin' },
    timeoutSeconds: 15,
    memoryMb: 256,
  },
  adminChangeUserRole: {
    entry: 'functions/admin/change-user-role.ts',
    description: 'Gives an account one role; an admin cannot remove their own admin role',
    routes: [{ method: 'PUT', path: '/admin/users/{username}/role', auth: admins }],
    triggers: [],
    uses: { userPool: 'admin' },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  adminDisableUser: {
    entry: 'functions/admin/disable-user.ts',
    description: 'Disables an account (it can no longer sign in); an admin cannot disable themselves',
    routes: [{ method: 'POST', path: '/admin/users/{username}/disable', auth: admins }],
    triggers: [],
    uses: { userPool: 'admin' },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  adminEnableUser: {
    entry: 'functions/admin/enable-user.ts',
    description: 'Enables a disabled account again',
    routes: [{ method: 'POST', path: '/admin/users/{username}/enable', auth: admins }],
    triggers: [],
    uses: { userPool: 'admin' },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  registerPartner: {
    entry: 'functions/partners/register-partner.ts',
    description: 'An admin registers a partner and receives its webhook secret once',
    routes: [{ method: 'POST', path: '/partners', auth: admins }],
    triggers: [],
    uses: { tables: { main: 'readWrite' }, keys: { data: 'encrypt' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  issuePartnerKey: {
    entry: 'functions/partners/issue-partner-key.ts',
    description: 'An admin issues a scoped API key for a partner, shown once; only its hash is kept',
    routes: [{ method: 'POST', path: '/partners/{partnerId}/keys', auth: admins }],
    triggers: [],
    uses: { tables: { main: 'readWrite' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  listPartnerKeys: {
    entry: 'functions/partners/list-partner-keys.ts',
    description: 'A partner’s API keys: id, label, scopes and revocation, never the secret',
    routes: [{ method: 'GET', path: '/partners/{partnerId}/keys', auth: admins }],
    triggers: [],
    uses: { tables: { main: 'read' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  revokePartnerKey: {
    entry: 'functions/partners/revoke-partner-key.ts',
    description: 'An admin revokes a partner’s API key',
    routes: [{ method: 'DELETE', path: '/partners/{partnerId}/keys/{keyId}', auth: admins }],
    triggers: [],
    uses: { tables: { main: 'readWrite' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  listCarrierShipments: {
    entry: 'functions/partners/list-shipments.ts',
    description: 'A carrier’s shipments (API key with shipments:read)',
    routes: [{ method: 'GET', path: '/partner/shipments', auth: partnerKeyAuth }],
    triggers: [],
    uses: { tables: { main: 'read' }, keys: { data: 'decrypt' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  reportShipmentLabel: {
    entry: 'functions/partners/report-shipment-label.ts',
    description: 'A carrier reports the label and tracking number of a shipment it carries (API key with shipments:write)',
    routes: [{ method: 'PUT', path: '/partner/shipments/{orderId}/label', auth: partnerKeyAuth }],
    triggers: [],
    uses: { tables: { main: 'readWrite' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  postMaterialCertificate: {
    entry: 'functions/partners/post-material-certificate.ts',
    description: 'A supplier records a certificate for a lot of material (API key with materials:write)',
    routes: [{ method: 'POST', path: '/partner/material-certificates', auth: partnerKeyAuth }],
    triggers: [],
    uses: { tables: { main: 'readWrite' }, eventBus: 'put' },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  createWebhookEndpoint: {
    entry: 'functions/partners/create-webhook-endpoint.ts',
    description: 'A partner subscribes a URL to event types; the endpoint’s signing secret is shown once (webhooks:manage)',
    routes: [{ method: 'POST', path: '/partner/webhook-endpoints', auth: partnerKeyAuth }],
    triggers: [],
    uses: { tables: { main: 'readWrite' }, keys: { data: 'encrypt' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  listWebhookEndpoints: {
    entry: 'functions/partners/list-webhook-endpoints.ts',
    description: 'A partner’s webhook endpoints (webhooks:manage)',
    routes: [{ method: 'GET', path: '/partner/webhook-endpoints', auth: partnerKeyAuth }],
    triggers: [],
    uses: { tables: { main: 'read' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  deleteWebhookEndpoint: {
    entry: 'functions/partners/delete-webhook-endpoint.ts',
    description: 'A partner unsubscribes a webhook endpoint (webhooks:manage)',
    routes: [{ method: 'DELETE', path: '/partner/webhook-endpoints/{endpointId}', auth: partnerKeyAuth }],
    triggers: [],
    uses: { tables: { main: 'readWrite' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  enableWebhookEndpoint: {
    entry: 'functions/partners/enable-webhook-endpoint.ts',
    description: 'A partner turns a disabled webhook endpoint back on (webhooks:manage)',
    routes: [{ method: 'POST', path: '/partner/webhook-endpoints/{endpointId}/enable', auth: partnerKeyAuth }],
    triggers: [],
    uses: { tables: { main: 'readWrite' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  listWebhookDeliveries: {
    entry: 'functions/partners/list-webhook-deliveries.ts',
    description: 'A partner’s webhook deliveries with every attempt (webhooks:manage)',
    routes: [{ method: 'GET', path: '/partner/webhook-deliveries', auth: partnerKeyAuth }],
    triggers: [],
    uses: { tables: { main: 'read' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  replayWebhookDelivery: {
    entry: 'functions/partners/replay-webhook-delivery.ts',
    description: 'A partner replays a webhook delivery through the retry schedule (webhooks:manage)',
    routes: [{ method: 'POST', path: '/partner/webhook-deliveries/{deliveryId}/replay', auth: partnerKeyAuth }],
    triggers: [],
    uses: { tables: { main: 'readWrite' }, queues: { webhooks: 'send' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  notifyPartners: {
    entry: 'functions/partners/notify-partners.ts',
    description: 'Turns shipments and deliveries into partners’ webhooks: a label request to the carrier, then the delivery',
    routes: [],
    triggers: [{ kind: 'rule', rule: 'partnerEvents' }],
    uses: { tables: { main: 'readWrite' }, queues: { webhooks: 'send' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  deliverWebhook: {
    entry: 'functions/partners/deliver-webhook.ts',
    description: 'Posts signed webhooks to partners’ endpoints, retrying on a ~3-day schedule; a 410 disables the endpoint',
    routes: [],
    triggers: [{ kind: 'queue', queue: 'webhooks', batchSize: 10, maxConcurrency: 5 }],
    uses: { tables: { main: 'readWrite' }, keys: { data: 'decrypt' } },
    // Ten receivers answered side by side, each given 15 s; the queue's visibility timeout is four times this.
    timeoutSeconds: 30,
    memoryMb: 256,
  },
  supplierWebhook: {
    entry: 'functions/partners/supplier-webhook.ts',
    description: 'Suppliers’ signed material certificates, recorded once each',
    routes: [{ method: 'POST', path: '/webhooks/suppliers/{partnerId}', auth: { kind: 'public' } }],
    triggers: [],
    uses: { tables: { main: 'readWrite' }, keys: { data: 'decrypt' }, eventBus: 'put' },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  carrierWebhook: {
    entry: 'functions/partners/carrier-webhook.ts',
    description: 'Carriers’ signed status updates; a delivery confirms the order it references',
    routes: [{ method: 'POST', path: '/webhooks/carriers/{partnerId}', auth: { kind: 'public' } }],
    triggers: [],
    uses: { tables: { main: 'readWrite' }, keys: { data: 'decrypt' }, workflows: { order: 'respond' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  routeLedgerEvent: {
    entry: 'functions/ledger/route-ledger-event.ts',
    description: 'Queues a ledger-bound domain event in its asset’s FIFO group',
    routes: [],
    triggers: [{ kind: 'rule', rule: 'ledgerSteps' }],
    uses: { queues: { ledger: 'send' } },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  writeLedgerStep: {
    entry: 'functions/ledger/write-ledger-step.ts',
    description: 'Commits one domain event to the BigchainDB ledger, idempotently',
    routes: [],
    // One FIFO group per asset: steps of different assets commit side by side, each asset's in order.
    triggers: [{ kind: 'queue', queue: 'ledger', batchSize: 1, maxConcurrency: 8 }],
    uses: { tables: { main: 'readWrite', idempotency: 'readWrite' }, keys: { ledgerSigning: 'sign', data: 'encrypt' }, ledger: true },
    timeoutSeconds: 30,
    memoryMb: 512,
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionKey = keyof typeof functions;

export const platform = { printerTopics, tables, keys, buckets, queues, eventBusName, eventRules, workflows, functions, userGroups } as const;
export type Platform = typeof platform;

/**
 * Environment variable names a binding sets. The CDK fills them with generated names and ARNs,
 * the local runtime with its own; handlers read them once through their config schema.
 */
export const envName = {
  table: (k: string) => `TABLE_${snake(k)}`,
  bucket: (k: string) => `BUCKET_${snake(k)}`,
  key: (k: string) => `KEY_${snake(k)}`,
  queue: (k: string) => `QUEUE_${snake(k)}_URL`,
  workflow: (k: string) => `WORKFLOW_${snake(k)}_ARN`,
  eventBus: 'EVENT_BUS_NAME',
  userPool: 'USER_POOL_ID',
  /** The `iss` of the pool's tokens; its keys are at `<issuer>/.well-known/jwks.json`. */
  userPoolIssuer: 'USER_POOL_ISSUER',
  userPoolClientId: 'USER_POOL_CLIENT_ID',
  ledgerUrl: 'LEDGER_URL',
  ledgerHeaders: 'LEDGER_HEADERS',
  /** JSON: which registry provisions printer identities, and how to reach it. */
  printerIdentities: 'PRINTER_IDENTITIES',
  /** A Secrets Manager secret holding more headers (a JSON object), e.g. a hosted network's app_id/app_key; may be empty. */
  ledgerHeadersSecret: 'LEDGER_HEADERS_SECRET_ARN',
  /** JSON: which payment gateway (Stripe with its key's secret, or the local one). */
  payments: 'PAYMENTS',
  /** JSON: where the payment webhooks' endpoint secret comes from (a Secrets Manager secret, or the local one). */
  paymentWebhooks: 'PAYMENT_WEBHOOKS',
  /** Scheme and host of the public site, for the URLs on tags. */
  publicBaseUrl: 'PUBLIC_BASE_URL',
} as const;

function snake(k: string): string {
  return k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** Env var names a function's `uses` binds (and its response streaming: see `responseStreaming`), in a stable order. */
export function boundEnvNames(uses: Uses, responseStreaming = false): string[] {
  const names: string[] = [];
  for (const k of Object.keys(uses.tables ?? {})) names.push(envName.table(k));
  for (const k of Object.keys(uses.buckets ?? {})) names.push(envName.bucket(k));
  for (const k of Object.keys(uses.keys ?? {})) names.push(envName.key(k));
  for (const k of Object.keys(uses.queues ?? {})) names.push(envName.queue(k));
  for (const k of Object.keys(uses.workflows ?? {})) names.push(envName.workflow(k));
  if (uses.eventBus) names.push(envName.eventBus);
  if (uses.userPool) names.push(envName.userPool);
  if (uses.optionalSignIn || responseStreaming) names.push(envName.userPoolIssuer, envName.userPoolClientId);
  if (uses.printerIdentities) names.push(envName.printerIdentities);
  if (uses.ledger) names.push(envName.ledgerUrl, envName.ledgerHeaders, envName.ledgerHeadersSecret);
  if (uses.payments) names.push(envName.payments);
  if (uses.paymentWebhooks) names.push(envName.paymentWebhooks);
  if (uses.publicUrls) names.push(envName.publicBaseUrl);
  return names;
}
