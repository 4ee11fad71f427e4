// How the stand-alone ledger node process is started (`npm run ledger`, and the benchmark that measures it). A
// replay of a million transactions makes lots of short-lived garbage: with V8's defaults the young generation grows
// to 128 MB and stays committed; glibc keeps a malloc arena per thread, and (with its adaptive mmap threshold) keeps
// freed multi-megabyte typed-array stores in its heap instead of returning them. Measured at 1M stored transactions:
// RSS 700 MiB with the defaults, about 475 MiB with these (see local/ledger/README.md), at the same throughput.
// --expose-gc lets the node collect once right after replaying its log (see Ledger.open), before it serves anything.
export const ledgerNodeFlags = ['--max-semi-space-size=8', '--expose-gc'] as const;
export const ledgerNodeEnv = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '65536' } as const;
