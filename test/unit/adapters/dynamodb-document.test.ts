// conditionalWrite, which every adapter's conditional write goes through: a refusal for the condition is an answer
// (false), anything else still fails the caller.
import { ConditionalCheckFailedException, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { conditionalWrite } from '../../../shared/adapters/dynamodb-document.js';

const refused = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

describe('conditionalWrite', () => {
  it('is true when the write was made', async () => {
    await expect(conditionalWrite(Promise.resolve({}))).resolves.toBe(true);
  });

  it('is false when DynamoDB refused the write for its condition', async () => {
    await expect(conditionalWrite(Promise.reject(refused()))).resolves.toBe(false);
  });

  it('throws every other failure as it came', async () => {
    const throttled = new DynamoDBServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: {} });
    await expect(conditionalWrite(Promise.reject(throttled))).rejects.toBe(throttled);
    const down = new Error('connect ECONNREFUSED 127.0.0.1:8000');
    await expect(conditionalWrite(Promise.reject(down))).rejects.toBe(down);
  });
});
