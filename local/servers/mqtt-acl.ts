// The local broker's topic ACL, generated from the same topic list as the AWS IoT policy (infra/platform.ts). AWS
// matches a topic (publish/receive) or a topic filter (subscribe) as a string against the policy resource, where `*`
// stands for any characters; with `{thing}` replaced by the connected thing's name, that is what happens here too.
// So `dpm/printers/p1/#` is allowed for p1 (the `*` covers `#`), while `dpm/printers/+/telemetry` or `#` is not.
import { printerTopics } from '../../infra/platform.js';

export const thingNamePattern = /^[a-zA-Z0-9:_-]{1,128}$/;

export class InvalidThingName extends Error {
  override name = 'InvalidThingName';
  constructor(name: string) {
    super(`Invalid thing name ${JSON.stringify(name)}: use 1 to 128 letters, digits, ':', '_' or '-'`);
  }
}

export function assertThingName(name: string): void {
  if (!thingNamePattern.test(name)) throw new InvalidThingName(name);
}

function matcher(pattern: string, thing: string): RegExp {
  const concrete = pattern.replaceAll('{thing}', thing);
  return new RegExp(`^${concrete.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

export interface ThingAcl {
  canPublish(topic: string): boolean;
  canSubscribe(filter: string): boolean;
}

export function thingAcl(thing: string, topics: { publish: readonly string[]; subscribe: readonly string[] } = printerTopics): ThingAcl {
  assertThingName(thing);
  const publish = topics.publish.map((p) => matcher(p, thing));
  const subscribe = topics.subscribe.map((p) => matcher(p, thing));
  const valid = (t: string) => t.length > 0 && t.length <= 256 && !t.includes('\u0000');
  return {
    // A published topic never contains wildcards in MQTT; refuse them outright.
    canPublish: (topic) => valid(topic) && !/[+#]/.test(topic) && publish.some((r) => r.test(topic)),
    canSubscribe: (filter) => valid(filter) && subscribe.some((r) => r.test(filter)),
  };
}
