// S3 on s3rver: path-style requests, presigned URLs and CORS behave as the SDK and browsers expect.
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import S3rver from 's3rver';
import { closeServer, listen, type LocalServer } from '../server.js';

export interface S3Options {
  port?: number;
  host?: string;
  dataDir: string;
  buckets: readonly { name: string; browserUploads: boolean }[];
}

const corsXml = `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule></CORSConfiguration>`;

export async function startS3(opts: S3Options): Promise<LocalServer> {
  const host = opts.host ?? '127.0.0.1';
  await mkdir(opts.dataDir, { recursive: true });
  const s3 = new S3rver({
    silent: true,
    directory: opts.dataDir,
    vhostBuckets: false,
    configureBuckets: opts.buckets.map((b) => ({ name: b.name, configs: b.browserUploads ? [corsXml] : [] })),
  });
  await s3.configureBuckets();
  // Our own listener, so a busy port fails with a PortInUseError like every other component.
  const server = createServer(s3.callback());
  const port = await listen(server, opts.port ?? 0, host, 's3');
  const url = `http://${host}:${port}`;
  return {
    name: 's3',
    url,
    port,
    async health() {
      const buckets = await s3.store.listBuckets();
      return { ok: true, detail: `${buckets.length} buckets` };
    },
    async close() {
      await closeServer(server);
    },
  };
}
