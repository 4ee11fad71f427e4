// What the local servers cannot show of the admin adapters, against mocked clients: Cognito's ListUsers pages (cognito-
// local returns every user at once) and its quoted filter, and the ledger queue without a dead-letter queue.
import { AdminListGroupsForUserCommand, CognitoIdentityProviderClient, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { userGroups } from '../../../infra/platform.js';
import { CognitoUserDirectory } from '../../../shared/adapters/cognito-user-directory.js';
import { SqsLedgerBacklog } from '../../../shared/adapters/sqs-ledger-backlog.js';

const idp = mockClient(CognitoIdentityProviderClient);
const sqs = mockClient(SQSClient);
const cognitoUser = (n: number) => ({ Username: `u${n}`, Enabled: n !== 2, UserStatus: 'CONFIRMED' as const, Attributes: [{ Name: 'sub', Value: `sub-${n}` }, { Name: 'email', Value: `u${n}@dpm.test` }] });

describe('CognitoUserDirectory paging', () => {
  beforeEach(() => idp.reset());

  it('follows PaginationToken up to the limit, with the e-mail filter quoted, and reads each user’s known groups', async () => {
    idp.on(ListUsersCommand, { PaginationToken: undefined }).resolves({ Users: [cognitoUser(1), cognitoUser(2)], PaginationToken: 'next' });
    idp.on(ListUsersCommand, { PaginationToken: 'next' }).resolves({ Users: [cognitoUser(3), cognitoUser(4)], PaginationToken: 'more' });
    idp.on(AdminListGroupsForUserCommand).resolves({ Groups: [{ GroupName: 'customer' }, { GroupName: 'us-east-1_x_Google' }] });
    const users = await new CognitoUserDirectory(new CognitoIdentityProviderClient({}), 'pool', userGroups).list({ emailPrefix: 'u"\\', limit: 3 });
    expect(users.map((u) => [u.username, u.email, u.enabled, u.roles])).toEqual([
      ['u1', 'u1@dpm.test', true, ['customer']],
      ['u2', 'u2@dpm.test', false, ['customer']],
      ['u3', 'u3@dpm.test', true, ['customer']],
    ]);
    expect(idp).toHaveReceivedCommandTimes(ListUsersCommand, 2);
    expect(idp).toHaveReceivedNthCommandWith(ListUsersCommand, 1, { UserPoolId: 'pool', Limit: 3, Filter: 'email ^= "u"' });
    expect(idp).toHaveReceivedNthCommandWith(ListUsersCommand, 2, { Limit: 1, PaginationToken: 'next' });
  });
});

describe('SqsLedgerBacklog', () => {
  beforeEach(() => sqs.reset());

  it('finds the dead-letter queue once, through the redrive policy', async () => {
    const dlqArn = 'arn:aws:sqs:eu-west-1:123456789012:ledger-dlq.fifo';
    sqs.on(GetQueueAttributesCommand, { QueueUrl: 'q' }).resolves({ Attributes: { ApproximateNumberOfMessages: '4', ApproximateNumberOfMessagesNotVisible: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }) } });
    sqs.on(GetQueueUrlCommand, { QueueName: 'ledger-dlq.fifo', QueueOwnerAWSAccountId: '123456789012' }).resolves({ QueueUrl: 'dlq' });
    sqs.on(GetQueueAttributesCommand, { QueueUrl: 'dlq' }).resolves({ Attributes: { ApproximateNumberOfMessages: '2', ApproximateNumberOfMessagesNotVisible: '0' } });
    const backlog = new SqsLedgerBacklog(new SQSClient({}), 'q');
    expect(await backlog.depth()).toEqual({ waiting: 4, inFlight: 1, deadLetters: 2 });
    expect(await backlog.depth()).toEqual({ waiting: 4, inFlight: 1, deadLetters: 2 });
    expect(sqs).toHaveReceivedCommandTimes(GetQueueUrlCommand, 1);
  });

  it('reports no dead letters for a queue without a dead-letter queue', async () => {
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' } });
    expect(await new SqsLedgerBacklog(new SQSClient({}), 'q').depth()).toEqual({ waiting: 0, inFlight: 0, deadLetters: 0 });
    expect(sqs).toHaveReceivedCommandTimes(GetQueueUrlCommand, 0);
  });
});
