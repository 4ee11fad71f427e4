// DataKeys on AWS KMS: GenerateDataKey and Decrypt under one symmetric key, with the encryption context checked by KMS.
import { DecryptCommand, GenerateDataKeyCommand, InvalidCiphertextException, type KMSClient } from '@aws-sdk/client-kms';
import type { DataKeys, EncryptionContext } from '../crypto/envelope.js';
import { SealedDataInvalid } from '../crypto/envelope.js';
import { reportUnavailable } from './aws-unavailable.js';

export class KmsDataKeys implements DataKeys {
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
  ) {
    reportUnavailable(kms, 'KMS');
  }

  async generate(context: EncryptionContext): Promise<{ plaintext: Uint8Array; wrapped: Uint8Array }> {
    const out = await this.kms.send(new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: { ...context } }));
    if (!out.Plaintext || !out.CiphertextBlob) throw new Error('KMS GenerateDataKey returned no key');
    return { plaintext: out.Plaintext, wrapped: out.CiphertextBlob };
  }

  async unwrap(wrapped: Uint8Array, context: EncryptionContext): Promise<Uint8Array> {
    try {
      const out = await this.kms.send(new DecryptCommand({ KeyId: this.keyId, CiphertextBlob: wrapped, EncryptionContext: { ...context } }));
      if (!out.Plaintext) throw new Error('KMS Decrypt returned no key');
      return out.Plaintext;
    } catch (err) {
      if (err instanceof InvalidCiphertextException) throw new SealedDataInvalid('The data key does not belong to this object', { cause: err.message });
      throw err;
    }
  }
}
