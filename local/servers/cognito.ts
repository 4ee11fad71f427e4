// Cognito on cognito-local, as a child process whose data lives in the data directory. On every start it makes sure
// (idempotently) that the user pool, one group per role, the web app client with USER_PASSWORD_AUTH and the demo
// users exist. Tokens are RS256 with cognito-local's bundled key; the gateway verifies them against its JWKS.
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ListGroupsCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  SignUpCommand,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { userGroups } from '../../infra/platform.js';
import { PortInUseError, type LocalServer } from '../server.js';
import { reservePort } from './dynamodb.js';
import { localCredentials, localRegion } from './local-aws.js';

export interface CognitoOptions {
  port?: number;
  host?: string;
  dataDir: string;
  demoUsers: readonly { username: string; password: string; group: string }[];
  startTimeoutMs?: number;
}

const poolName = 'dpm';
const clientName = 'dpm-web';

/**
 * A child process can only be given a port number, so an automatically chosen port ({port: 0}) can be taken by
 * someone else between choosing it and the child binding it. Then we choose again.
 */
export async function startCognito(opts: CognitoOptions) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCognitoOnce(opts);
    } catch (err) {
      if (!(err instanceof PortInUseError) || (opts.port ?? 0) !== 0 || attempt >= 5) throw err;
    }
  }
}

async function startCognitoOnce(opts: CognitoOptions) {
  const host = opts.host ?? '127.0.0.1';
  const port = await reservePort(opts.port ?? 0, host, 'cognito');
  // cognito-local lets a disabled user sign in and refresh (it never reads `Enabled` there), so it runs on a port of
  // its own behind a small proxy on `port` that refuses those as Cognito does. Tokens still name `port` as issuer.
  const innerPort = await reservePort(0, host, 'cognito');
  await mkdir(join(opts.dataDir, '.cognito'), { recursive: true });
  await writeFile(join(opts.dataDir, '.cognito', 'config.json'), JSON.stringify({ TokenConfig: { IssuerDomain: `http://${host}:${port}` } }));
  const bin = join(createRequire(import.meta.url).resolve('cognito-local/package.json'), '..', 'lib', 'bin', 'start.js');
  // cognito-local keeps `.cognito/` under its working directory; HOST and PORT also set the tokens' issuer.
  const child = spawn(process.execPath, [bin], {
    cwd: opts.dataDir,
    env: { ...process.env, PORT: String(innerPort), HOST: host, NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited: number | null | undefined;
  const exitPromise = new Promise<void>((r) =>
    child.once('exit', (code) => {
      exited = code;
      r();
    }),
  );
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const url = `http://${host}:${port}`;
  const innerUrl = `http://${host}:${innerPort}`;
  const idp = new CognitoIdentityProviderClient({ endpoint: innerUrl, region: localRegion, credentials: localCredentials, maxAttempts: 1 });
  let proxy: Server | undefined;
  let userPoolIdOf = '';
  const stop = async () => {
    process.off('exit', killOnExit);
    if (proxy) await new Promise<void>((r) => proxy!.close(() => r()));
    proxy?.closeAllConnections();
    idp.destroy();
    if (exited !== undefined) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exitPromise;
    clearTimeout(t);
  };

  try {
    const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
    for (;;) {
      if (exited !== undefined) {
        if (/EADDRINUSE/.test(output)) throw new PortInUseError('cognito', port);
        throw new Error(`cognito: cognito-local exited (${exited}). Output:\n${output}`);
      }
      try {
        await idp.send(new ListUserPoolsCommand({ MaxResults: 60 }));
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`cognito: cognito-local did not answer on ${url}. Output:\n${output}`);
        await sleep(100);
      }
    }

    proxy = await startDisabledUserGate({ host, port, innerHost: host, innerPort, idp: () => idp, userPoolId: () => userPoolIdOf });

    const pools = await idp.send(new ListUserPoolsCommand({ MaxResults: 60 }));
    const userPoolId: string =
      pools.UserPools?.find((p) => p.Name === poolName)?.Id ??
      (await idp.send(new CreateUserPoolCommand({ PoolName: poolName, UsernameAttributes: ['email'], AutoVerifiedAttributes: ['email'] }))).UserPool!.Id!;
    userPoolIdOf = userPoolId;
    const clients = await idp.send(new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }));
    const clientId =
      clients.UserPoolClients?.find((c) => c.ClientName === clientName)?.ClientId ??
      (await idp.send(new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: clientName, ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }))).UserPoolClient!.ClientId!;
    // Only missing groups are created: cognito-local's CreateGroup overwrites an existing group and drops its members.
    const existing = new Set((await idp.send(new ListGroupsCommand({ UserPoolId: userPoolId }))).Groups?.map((g) => g.GroupName));
    for (const group of userGroups) {
      if (!existing.has(group)) await idp.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
    }
    for (const u of opts.demoUsers) {
      const exists = await idp.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: u.username })).then(
        () => true,
        (err: unknown) => {
          if (err instanceof UserNotFoundException) return false;
          throw err;
        },
      );
      if (exists) continue;
      await idp.send(new SignUpCommand({ ClientId: clientId, Username: u.username, Password: u.password, UserAttributes: [{ Name: 'email', Value: u.username }] }));
      await idp.send(new AdminConfirmSignUpCommand({ UserPoolId: userPoolId, Username: u.username }));
      await idp.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: u.username, GroupName: u.group }));
    }

    const issuer = `${url}/${userPoolId}`;
    return {
      name: 'cognito',
      url,
      port,
      userPoolId,
      clientId,
      issuer,
      jwksUrl: `${issuer}/.well-known/jwks.json`,
      async health() {
        if (exited !== undefined) return { ok: false, detail: `exited with ${exited}` };
        try {
          const r = await fetch(`${issuer}/.well-known/jwks.json`);
          return { ok: r.ok, detail: `pool ${userPoolId}` };
        } catch (err) {
          return { ok: false, detail: (err as Error).message };
        }
      },
      close: stop,
    } satisfies LocalServer & Record<string, unknown>;
  } catch (err) {
    await stop();
    throw err;
  }
}

const signInFlows = new Set(['USER_PASSWORD_AUTH', 'ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH', 'REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN']);

/**
 * Passes every request to cognito-local, except a sign-in or a refresh of a disabled user, which it answers as Cognito
 * does: 400 NotAuthorizedException "User is disabled.". The user is named by the request (USERNAME) or, for a refresh,
 * by cognito-local's refresh token (a JWT carrying cognito:username).
 */
async function startDisabledUserGate(o: { host: string; port: number; innerHost: string; innerPort: number; idp: () => CognitoIdentityProviderClient; userPoolId: () => string }): Promise<Server> {
  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const upstream = httpRequest({ host: o.innerHost, port: o.innerPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'InternalErrorException', message: 'cognito-local did not answer' }));
    });
    upstream.end(body);
  };
  const disabled = async (body: Buffer): Promise<boolean> => {
    let b: { AuthFlow?: string; AuthParameters?: Record<string, string> };
    try {
      b = JSON.parse(body.toString() || '{}') as typeof b;
    } catch {
      return false;
    }
    if (!b.AuthFlow || !signInFlows.has(b.AuthFlow)) return false;
    let username = b.AuthParameters?.USERNAME;
    const refresh = b.AuthParameters?.REFRESH_TOKEN;
    if (!username && refresh) {
      try {
        username = (JSON.parse(Buffer.from(refresh.split('.')[1] ?? '', 'base64url').toString()) as Record<string, string>)['cognito:username'];
      } catch {
        return false;
      }
    }
    if (!username || !o.userPoolId()) return false;
    const user = await o.idp().send(new AdminGetUserCommand({ UserPoolId: o.userPoolId(), Username: username })).catch(() => undefined);
    return user?.Enabled === false;
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      if (req.method !== 'POST' || !/\.(Admin)?InitiateAuth$/.test(target)) return forward(req, res, body);
      disabled(body).then(
        (refuse) => {
          if (!refuse) return forward(req, res, body);
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'access-control-allow-origin': '*', 'x-amzn-errortype': 'NotAuthorizedException' });
          res.end(JSON.stringify({ __type: 'NotAuthorizedException', message: 'User is disabled.' }));
        },
        () => forward(req, res, body),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? new PortInUseError('cognito', o.port) : err));
    server.listen(o.port, o.host, () => resolve());
  });
  return server;
}
