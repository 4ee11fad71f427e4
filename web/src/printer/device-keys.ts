// Reading what `dpm-printer init` printed: the device's public keys, pasted by the operator. A private key file
// pasted by mistake is refused with a warning rather than sent anywhere.

const keyPattern = /^[A-Za-z0-9_-]{43}$/;

/** The public keys from `dpm-printer init`'s output (its JSON), or what is wrong with the paste. */
export function readPublicKeys(text: string): { keys?: { encryptionKey: string; signingKey: string }; device?: string; error?: string } {
  const t = text.trim();
  if (!t) return { error: 'Paste the output of dpm-printer init.' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch {
    return { error: 'This is not the output of dpm-printer init: it prints JSON with "encryptionKey" and "signingKey". Paste all of it, braces included.' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { error: 'This is not the output of dpm-printer init: it prints one JSON object with "encryptionKey" and "signingKey".' };
  const o = parsed as Record<string, unknown>;
  if ('privateKey' in o || 'encryption' in o || 'signing' in o) return { error: 'This looks like the device’s private key file. Never paste it anywhere: paste only what dpm-printer init prints.' };
  const { encryptionKey, signingKey, thing } = o;
  if (typeof encryptionKey !== 'string' || !keyPattern.test(encryptionKey)) return { error: 'The encryptionKey is missing or is not a 32-byte key in base64url (43 characters).' };
  if (typeof signingKey !== 'string' || !keyPattern.test(signingKey)) return { error: 'The signingKey is missing or is not a 32-byte key in base64url (43 characters).' };
  if (encryptionKey === signingKey) return { error: 'The two keys are the same; run dpm-printer init again and paste its output.' };
  return { keys: { encryptionKey, signingKey }, ...(typeof thing === 'string' ? { device: thing } : {}) };
}
