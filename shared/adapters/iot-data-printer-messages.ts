// Messages to printers through the IoT data plane's Publish (IoT Core, or the local broker's data-plane API).
import { PublishCommand, type IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import type { PrinterMessages } from '../printers/printability-proof.js';
import { reportUnavailable } from './aws-unavailable.js';

export class IotDataPrinterMessages implements PrinterMessages {
  constructor(private readonly iot: IoTDataPlaneClient) {
    reportUnavailable(iot, 'IoT Core');
  }

  async publish(thingName: string, kind: string, payload: object): Promise<void> {
    await this.iot.send(new PublishCommand({ topic: `dpm/printers/${thingName}/${kind}`, qos: 1, payload: Buffer.from(JSON.stringify(payload)) }));
  }
}
