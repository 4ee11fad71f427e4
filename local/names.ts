// Resource names in the embedded platform. In AWS the CDK generates names; locally they are fixed and readable.
export const kebab = (k: string) => k.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

export const localNames = {
  table: (k: string) => `dpm-${kebab(k)}`,
  bucket: (k: string) => `dpm-${kebab(k)}`,
  keyAlias: (k: string) => `alias/dpm-${kebab(k)}`,
  stateMachine: (k: string) => `dpm-${kebab(k)}`,
  /** FIFO queue names must end in `.fifo`, in AWS and locally alike. */
  queue: (k: string, fifo: boolean) => `dpm-${kebab(k)}${fifo ? '.fifo' : ''}`,
  deadLetterQueue: (k: string, fifo: boolean) => `dpm-${kebab(k)}-dlq${fifo ? '.fifo' : ''}`,
} as const;
