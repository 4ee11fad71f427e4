// The request side shared by the local servers that speak AWS's JSON protocols (KMS, SQS, EventBridge, Step
// Functions): POST with `X-Amz-Target: <Service>.<Operation>`, a size-limited JSON body, one handler per operation,
// and errors in the shape the SDK deserializers read (`__type`, and for query-compatible services the
// `x-amzn-query-error` header).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export class AwsJsonError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    /** `x-amzn-query-error` for services whose SDK still maps query-protocol error codes (SQS). */
    readonly queryError?: string,
  ) {
    super(message);
  }
}

export interface AwsJsonProtocol {
  targetPrefix: string;
  contentType: 'application/x-amz-json-1.0' | 'application/x-amz-json-1.1';
  maxBodyBytes: number;
  ops: Record<string, (body: Record<string, unknown>) => unknown>;
  /** How a service names its error types on the wire (SQS prefixes a namespace). */
  wireType?: (type: string) => string;
  errors: {
    unknownOperation: (op: string) => AwsJsonError;
    notJson: () => AwsJsonError;
    tooLarge: () => AwsJsonError;
    internalType: string;
  };
}

export function awsJsonHandler(p: AwsJsonProtocol) {
  const wire = p.wireType ?? ((t: string) => t);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': p.contentType, 'x-amzn-requestid': randomUUID(), ...headers });
      res.end(JSON.stringify(body));
    };
    try {
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.startsWith(p.targetPrefix) ? target.slice(p.targetPrefix.length) : '';
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of req) {
        size += (c as Buffer).length;
        if (size > p.maxBodyBytes) throw p.errors.tooLarge();
        chunks.push(c as Buffer);
      }
      const fn = req.method === 'POST' ? p.ops[op] : undefined;
      if (!fn) throw p.errors.unknownOperation(op);
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
      } catch {
        throw p.errors.notJson();
      }
      send(200, await fn(body));
    } catch (err) {
      if (err instanceof AwsJsonError) send(err.status, { __type: wire(err.type), message: err.message }, err.queryError ? { 'x-amzn-query-error': err.queryError } : {});
      else send(500, { __type: wire(p.errors.internalType), message: (err as Error).message });
    }
  };
}
