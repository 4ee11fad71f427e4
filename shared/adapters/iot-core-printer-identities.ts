// PrinterIdentities on AWS IoT Core: a thing of the printer type, a fresh key pair and certificate, the printer policy
// (topics limited to ${iot:Connection.Thing.ThingName}) and the certificate attached to the thing.
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  DescribeEndpointCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import type { DeviceCredentials, PrinterIdentities } from '../printers/ports.js';
import { reportUnavailable } from './aws-unavailable.js';

export class IotCorePrinterIdentities implements PrinterIdentities {
  private endpoint: Promise<string> | undefined;
  constructor(
    private readonly iot: IoTClient,
    private readonly opts: { thingTypeName: string; policyName: string },
  ) {
    reportUnavailable(iot, 'IoT Core');
  }

  async provision(thingName: string, attributes: Record<string, string>): Promise<DeviceCredentials> {
    await this.iot.send(new CreateThingCommand({ thingName, thingTypeName: this.opts.thingTypeName, attributePayload: { attributes } }));
    const cert = await this.iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    if (!cert.certificateArn || !cert.certificatePem || !cert.keyPair?.PrivateKey) throw new Error('IoT Core returned no certificate');
    await this.iot.send(new AttachPolicyCommand({ policyName: this.opts.policyName, target: cert.certificateArn }));
    await this.iot.send(new AttachThingPrincipalCommand({ thingName, principal: cert.certificateArn }));
    this.endpoint ??= this.iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' })).then((o) => `mqtts://${o.endpointAddress}:8883`);
    return { kind: 'x509', certificatePem: cert.certificatePem, privateKeyPem: cert.keyPair.PrivateKey, certificateArn: cert.certificateArn, endpoint: await this.endpoint };
  }
}
