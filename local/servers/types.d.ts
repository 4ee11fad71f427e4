// Minimal typings for the untyped local-server packages we use.
declare module 's3rver' {
  import type { RequestListener } from 'node:http';
  interface S3rverOptions {
    silent?: boolean;
    directory?: string;
    vhostBuckets?: boolean;
    allowMismatchedSignatures?: boolean;
    configureBuckets?: { name: string; configs?: string[] }[];
  }
  export default class S3rver {
    constructor(options: S3rverOptions);
    configureBuckets(): Promise<void>;
    callback(): RequestListener;
    store: { listBuckets(): Promise<{ name: string }[]> };
  }
}
