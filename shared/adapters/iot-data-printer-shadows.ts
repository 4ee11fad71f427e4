// PrinterShadows on the IoT data plane (AWS IoT Core, or the local broker's data-plane API: the same client).
import { GetThingShadowCommand, ResourceNotFoundException, UpdateThingShadowCommand, type IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import type { PrinterShadows } from '../printers/ports.js';
import { reportUnavailable } from './aws-unavailable.js';

export class IotDataPrinterShadows implements PrinterShadows {
  constructor(private readonly iot: IoTDataPlaneClient) {
    reportUnavailable(iot, 'IoT Core');
  }

  async setDesired(thingName: string, desired: Record<string, unknown>): Promise<void> {
    await this.iot.send(new UpdateThingShadowCommand({ thingName, payload: Buffer.from(JSON.stringify({ state: { desired } })) }));
  }

  async reported(thingName: string): Promise<Record<string, unknown> | undefined> {
    try {
      const out = await this.iot.send(new GetThingShadowCommand({ thingName }));
      const doc = JSON.parse(Buffer.from(out.payload ?? new Uint8Array()).toString() || '{}') as { state?: { reported?: Record<string, unknown> } };
      return doc.state?.reported;
    } catch (err) {
      if (err instanceof ResourceNotFoundException) return undefined;
      throw err;
    }
  }
}
