// Credentials and region every local AWS endpoint accepts. s3rver insists on its own well-known key pair.
export const localRegion = 'eu-west-1';
export const localAccount = '000000000000';
export const localCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
