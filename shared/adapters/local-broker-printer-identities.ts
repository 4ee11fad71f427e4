// PrinterIdentities on the embedded broker: its admin endpoint registers the thing in the broker's credential store
// (the ACL already confines every thing to its own topics) and answers with a password, returned once.
import { DependencyUnavailable } from '../errors.js';
import type { DeviceCredentials, PrinterIdentities } from '../printers/ports.js';

export class LocalBrokerPrinterIdentities implements PrinterIdentities {
  constructor(private readonly opts: { adminUrl: string; token: string }) {}

  async provision(thingName: string): Promise<DeviceCredentials> {
    const res = await fetch(`${this.opts.adminUrl}/dpm-admin/things/${encodeURIComponent(thingName)}/credentials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.opts.token}` },
    });
    if (!res.ok) throw new DependencyUnavailable(`The local broker refused to register ${thingName}: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { username: string; password: string; endpoint: string };
    return { kind: 'password', username: body.username, password: body.password, endpoint: body.endpoint };
  }
}
