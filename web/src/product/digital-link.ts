// What a scanned or pasted text is: a DPM Digital Link (a product page on this site or on the platform's public host)
// or something else, with a sentence a person can act on. Pure, so the scanner and the paste field agree.

export type LinkReading =
  | { kind: 'product'; path: string; gtin: string; serial: string; search: string }
  | { kind: 'foreign-link'; message: string }
  | { kind: 'not-a-link'; message: string };

const productPath = /^\/01\/(\d{14})\/21\/([^/?#]+)\/?$/;

/**
 * Reads a text from a QR code or the paste field. `hosts` are the hosts a DPM tag may point at: the site's own and the
 * platform's public one. Only their product paths (`/01/<gtin>/21/<serial>`) count; the query (s, uid, ctr, cmac) is kept.
 */
export function readDigitalLink(text: string, hosts: readonly string[]): LinkReading {
  const raw = text.trim();
  if (!raw) return { kind: 'not-a-link', message: 'Paste the link printed under the product’s QR code, or scan the code.' };
  // Without a scheme, only something shaped like an address (host.tld/… or localhost) is taken for one.
  const hostLike = /^([a-z0-9-]+\.)+[a-z0-9-]+(:\d+)?([/?#]\S*)?$|^localhost(:\d+)?([/?#]\S*)?$/i;
  const schemed = /^[a-z][a-z0-9+.-]*:/i.test(raw) && !hostLike.test(raw);
  if (!schemed && !hostLike.test(raw)) return { kind: 'not-a-link', message: 'This is not a web link. A DPM tag’s link looks like https://…/01/<14 digits>/21/<serial>?s=…' };
  let url: URL;
  try {
    url = new URL(schemed ? raw : `https://${raw}`);
  } catch {
    return { kind: 'not-a-link', message: 'This is not a web link. A DPM tag’s link looks like https://…/01/<14 digits>/21/<serial>?s=…' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { kind: 'not-a-link', message: 'This is not a web link. A DPM tag’s link starts with https://' };
  const known = hosts.map((h) => h.toLowerCase());
  const m = productPath.exec(url.pathname);
  if (!known.includes(url.host.toLowerCase())) {
    return {
      kind: 'foreign-link',
      message: m
        ? `This link points to ${url.host}, not to DPM: it may be a copy. Only codes that open ${known[0] ?? 'this site'} can be verified here.`
        : `This code opens ${url.host}, which is not a DPM product. Nothing was opened.`,
    };
  }
  if (!m) return { kind: 'foreign-link', message: 'This is a DPM link, but not to a product. A product’s link contains /01/<GTIN>/21/<serial>.' };
  return { kind: 'product', path: url.pathname.replace(/\/$/, ''), gtin: m[1]!, serial: decodeURIComponent(m[2]!), search: url.search };
}

/** The hosts whose links count as DPM's: this site's and the platform's public base URL's (when configured). */
export function dpmHosts(currentHost: string, publicBaseUrl?: string): string[] {
  const hosts = [currentHost];
  if (publicBaseUrl) {
    try {
      const h = new URL(publicBaseUrl).host;
      if (!hosts.includes(h)) hosts.push(h);
    } catch {
      // A malformed setting only narrows what is accepted.
    }
  }
  return hosts;
}
