// The deployment the app runs against, read once at start-up from /config.json: the local gateway writes it from the
// running platform, the CDK deploys it beside the built files. Nothing here is a secret.
export interface WebConfig {
  /** Where the HTTP API answers, relative to this origin (`/api`) or absolute. */
  apiBase: string;
  region: string;
  /** The Cognito user pool's app client the web app signs in with (USER_PASSWORD_AUTH). */
  userPoolId: string;
  userPoolClientId: string;
  /** The Cognito endpoint: cognito-local on the embedded platform, `https://cognito-idp.<region>.amazonaws.com` in AWS. */
  cognitoEndpoint: string;
  /** Where the platform's tags point (PUBLIC_BASE_URL), when it differs from this site: the scanner accepts both. */
  publicBaseUrl?: string;
}

let loaded: WebConfig | undefined;

export async function loadConfig(): Promise<WebConfig> {
  if (loaded) return loaded;
  const res = await fetch('/config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`The site's configuration could not be loaded (HTTP ${res.status}). Reload the page; if it persists, the platform is not running.`);
  loaded = (await res.json()) as WebConfig;
  return loaded;
}

export function config(): WebConfig {
  if (!loaded) throw new Error('config() before loadConfig()');
  return loaded;
}
