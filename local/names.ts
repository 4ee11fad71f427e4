// Resource names in the embedded platform. In AWS the CDK generates names; locally they are fixed and readable.
export const kebab = (k: string) => k.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

export const localNames = {
  table: (k: string) => `dpm-${kebab(k)}`,
  bucket: (k: string) => `dpm-${kebab(k)}`,
  keyAlias: (k: string) => `alias/dpm-${kebab(k)}`,
  stateMachine: (k: string) => `dpm-${kebab(k)}`,
} as const;
