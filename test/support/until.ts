// Polls `get` every 100 ms until `ok` holds; fails with what was last seen, so a timeout says where things stood.
export async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, tries = 300): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < tries; i++) {
    last = await get();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: condition not met in time; last seen ${JSON.stringify(last)}`);
}
