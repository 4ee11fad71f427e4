// The admin dashboard's and user management's adapters against the local servers, through the unmodified SDK clients
// they use in AWS: executions of the real order ASL (a refund and an outright failure), the ledger queue's depths
// with its dead-letter queue found through the redrive policy, and Cognito with disabled users refused at sign-in.
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userGroups } from '../../../infra/platform.js';
import { startCognito } from '../../../local/servers/cognito.js';
import { localCredentials, localRegion } from '../../../local/servers/local-aws.js';
import { startQueues } from '../../../local/servers/queues.js';
import { startStepFunctions } from '../../../local/servers/step-functions.js';
import { CognitoUserDirectory } from '../../../shared/adapters/cognito-user-directory.js';
import { SfnWorkflowRuns } from '../../../shared/adapters/sfn-workflow-runs.js';
import { SqsLedgerBacklog } from '../../../shared/adapters/sqs-ledger-backlog.js';
import { RuleViolation } from '../../../shared/errors.js';
import { until } from '../../support/until.js';

const repoRoot = resolve(import.meta.dirname, '../../..');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dpm-admin-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('SfnWorkflowRuns on the local Step Functions', () => {
  it('tells refunded orders (the Catch → Refund path) and outright failures from the rest', async () => {
    const sfnServer = await startStepFunctions({
      port: 0,
      dataDir: join(dir, 'sfn'),
      stateMachines: {
        order: {
          name: 'dpm-order',
          definition: await readFile(join(repoRoot, 'infra/workflows/order.asl.json'), 'utf8'),
          invokeTask: async (key, payload) => {
            if (key === 'reserveLicense' && (payload as { orderId: string }).orderId === 'sold-out') throw new RuleViolation('The edition is sold out');
            if (key === 'reserveLicense') return new Promise(() => undefined); // stays running
            return null;
          },
        },
        broken: { name: 'dpm-broken', definition: JSON.stringify({ StartAt: 'Boom', States: { Boom: { Type: 'Fail', Error: 'Boom', Cause: 'test' } } }), invokeTask: async () => null },
      },
    });
    const sfn = new SFNClient({ endpoint: sfnServer.url, region: localRegion, credentials: localCredentials });
    try {
      const from = new Date(Date.now() - 1000);
      const order = sfnServer.stateMachineArn('order');
      await sfn.send(new StartExecutionCommand({ stateMachineArn: order, name: 'sold-out', input: JSON.stringify({ orderId: 'sold-out' }) }));
      await sfn.send(new StartExecutionCommand({ stateMachineArn: order, name: 'printing', input: JSON.stringify({ orderId: 'printing' }) }));
      await sfn.send(new StartExecutionCommand({ stateMachineArn: sfnServer.stateMachineArn('broken'), name: 'b1', input: '{}' }));

      const orders = new SfnWorkflowRuns(sfn, order);
      const runs = await until(
        'the sold-out order refunded',
        () => orders.since(from),
        (r) => r.find((x) => x.name === 'sold-out')?.status === 'SUCCEEDED',
      );
      expect(runs.find((r) => r.name === 'sold-out')).toMatchObject({ status: 'SUCCEEDED', refunded: true });
      expect(runs.find((r) => r.name === 'printing')).toMatchObject({ status: 'RUNNING' });
      expect(runs.find((r) => r.name === 'printing')?.refunded).toBeUndefined();
      const broken = await until(
        'the broken workflow failed',
        () => new SfnWorkflowRuns(sfn, sfnServer.stateMachineArn('broken')).since(from),
        (r) => r[0]?.status === 'FAILED',
      );
      expect(broken).toHaveLength(1);
      expect(broken[0]!.stoppedAt).toBeInstanceOf(Date);
      // Nothing before the window.
      expect(await orders.since(new Date(Date.now() + 60_000))).toEqual([]);
    } finally {
      sfn.destroy();
      await sfnServer.close();
    }
  });
});

describe('SqsLedgerBacklog on the local SQS', () => {
  it('counts waiting, in-flight and dead-lettered steps', async () => {
    const server = await startQueues({ port: 0, dataDir: join(dir, 'sqs'), queues: { ledger: { fifo: true, visibilityTimeoutSeconds: 30, maxReceiveCount: 1 } } });
    const sqs = new SQSClient({ endpoint: server.url, region: localRegion, credentials: localCredentials });
    try {
      const url = server.queueUrl('ledger');
      const backlog = new SqsLedgerBacklog(sqs, url);
      expect(await backlog.depth()).toEqual({ waiting: 0, inFlight: 0, deadLetters: 0 });
      for (const g of ['a', 'b', 'c']) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: g, MessageGroupId: g, MessageDeduplicationId: g }));
      expect(await backlog.depth()).toEqual({ waiting: 3, inFlight: 0, deadLetters: 0 });
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, VisibilityTimeout: 0 }));
      // maxReceiveCount 1: the next receive moves the received message to the dead-letter queue.
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, VisibilityTimeout: 30 }));
      const d = await backlog.depth();
      expect(d.deadLetters).toBe(1);
      expect(d.waiting + d.inFlight).toBe(2);
      expect(d.inFlight).toBe(1);
    } finally {
      sqs.destroy();
      await server.close();
    }
  });
});

describe('CognitoUserDirectory on the local Cognito', () => {
  it('lists accounts with their groups, changes groups, and a disabled account can neither sign in nor refresh', async () => {
    const cognito = await startCognito({ port: 0, dataDir: join(dir, 'cognito'), demoUsers: [{ username: 'ada@dpm.test', password: 'Admin-pass-1!', group: 'admin' }] });
    const idp = new CognitoIdentityProviderClient({ endpoint: cognito.url, region: localRegion, credentials: localCredentials });
    try {
      const users = new CognitoUserDirectory(idp, cognito.userPoolId, userGroups);
      const email = 'bob@dpm.test';
      const created = await idp.send(new AdminCreateUserCommand({ UserPoolId: cognito.userPoolId, Username: email, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: email }] }));
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: cognito.userPoolId, Username: email, Password: 'Bob-pass-1!', Permanent: true }));
      const username = created.User!.Username!;
      await users.addToGroup(username, 'customer');

      const all = await users.list({ limit: 60 });
      expect(all.map((u) => [u.email, u.roles, u.enabled])).toEqual(
        expect.arrayContaining([
          ['ada@dpm.test', ['admin'], true],
          [email, ['customer'], true],
        ]),
      );
      expect((await users.list({ emailPrefix: 'bo', limit: 60 })).map((u) => u.email)).toEqual([email]);
      expect(await users.get('nobody@dpm.test')).toBeUndefined();

      await users.addToGroup(username, 'designer');
      await users.removeFromGroup(username, 'customer');
      expect((await users.get(username))!.roles).toEqual(['designer']);

      const signIn = () => idp.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: cognito.clientId, AuthParameters: { USERNAME: email, PASSWORD: 'Bob-pass-1!' } }));
      const first = await signIn();
      // The issuer of the tokens is the address clients use, behind the gate.
      const claims = JSON.parse(Buffer.from(first.AuthenticationResult!.IdToken!.split('.')[1]!, 'base64url').toString()) as { iss: string; 'cognito:groups': string[] };
      expect(claims.iss).toBe(cognito.issuer);
      expect(claims['cognito:groups']).toEqual(['designer']);

      await users.setEnabled(username, false);
      expect((await users.get(username))!.enabled).toBe(false);
      await expect(signIn()).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'User is disabled.' });
      const refresh = () => idp.send(new InitiateAuthCommand({ AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: cognito.clientId, AuthParameters: { REFRESH_TOKEN: first.AuthenticationResult!.RefreshToken! } }));
      await expect(refresh()).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'User is disabled.' });

      await users.setEnabled(username, true);
      expect((await signIn()).AuthenticationResult?.IdToken).toBeTruthy();
      expect((await refresh()).AuthenticationResult?.IdToken).toBeTruthy();
    } finally {
      idp.destroy();
      await cognito.close();
    }
  });
});
