// `dpm-printer`: the printer agent's command line.
//   dpm-printer init --thing NAME [--state DIR]           make the device keys; prints the public keys to register
//   dpm-printer run --mqtt URL --thing NAME --password P [--device NAME] [--state DIR] [--time-scale N] [--runout-at 0.5] [--thermal-at 0.3]
//     (--device: the NAME given to init, when it is not the printer id the registration gave; the web app's
//     registration page prints this command)
//   dpm-printer run --mqtt mqtts://ENDPOINT:8883 --thing NAME --cert cert.pem --key key.pem [--ca AmazonRootCA1.pem]   (AWS IoT Core)
//   dpm-printer run --mqtt URL --fleet N --credentials FILE [--state DIR] [--time-scale N]
//     (FILE: a JSON array of {"thing", "password"}; N virtual printers in one process)
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateDeviceKeys, publicKeys, type DeviceKeys } from '../shared/printing/device-keys.js';
import { startPrinterAgent } from './printer-agent.js';

const usage = `Usage:
  dpm-printer init --thing NAME [--state DIR]
  dpm-printer run --mqtt URL --thing NAME --password P [--device NAME] [--state DIR] [--time-scale N] [--runout-at 0..1] [--thermal-at 0..1]
  dpm-printer run --mqtt mqtts://ENDPOINT:8883 --thing NAME --cert FILE --key FILE [--ca FILE] [...]
  dpm-printer run --mqtt URL --fleet N --credentials FILE [--state DIR] [--time-scale N]`;

class UsageError extends Error {}

async function keysFor(stateDir: string, thing: string, create: boolean): Promise<DeviceKeys> {
  const dir = join(stateDir, thing);
  const file = join(dir, 'device-keys.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DeviceKeys;
  } catch {
    if (!create) throw new UsageError(`No device keys for ${thing} in ${dir}: run dpm-printer init --thing ${thing} first`);
    const keys = generateDeviceKeys();
    await mkdir(dir, { recursive: true });
    await writeFile(file, JSON.stringify(keys), { mode: 0o600 });
    return keys;
  }
}

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        mqtt: { type: 'string' },
        thing: { type: 'string' },
        device: { type: 'string' },
        password: { type: 'string' },
        state: { type: 'string' },
        fleet: { type: 'string' },
        credentials: { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        ca: { type: 'string' },
        'time-scale': { type: 'string' },
        'runout-at': { type: 'string' },
        'thermal-at': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      out(`${usage}\n`);
      return 0;
    }
    const stateDir = values.state ?? join(homedir(), '.dpm-printer');
    const share = (name: string, v: string | undefined) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!(n >= 0 && n <= 1)) throw new UsageError(`--${name} must be a share of the print between 0 and 1`);
      return n;
    };
    const [command] = positionals;
    if (command === 'init') {
      if (!values.thing) throw new UsageError('--thing NAME is required');
      const keys = await keysFor(stateDir, values.thing, true);
      out(`${JSON.stringify({ thing: values.thing, ...publicKeys(keys) }, null, 2)}\n`);
      return 0;
    }
    if (command !== 'run') throw new UsageError(command ? `Unknown command ${command}` : 'A command is required');
    if (!values.mqtt) throw new UsageError('--mqtt URL is required');
    const timeScale = Number(values['time-scale'] ?? 1);
    if (!(timeScale > 0)) throw new UsageError('--time-scale must be a positive number');
    let printers: { thing: string; password?: string }[];
    if ((values.cert && !values.key) || (values.key && !values.cert)) throw new UsageError('--cert and --key go together');
    const tls = values.cert && values.key ? { cert: await readFile(values.cert, 'utf8'), key: await readFile(values.key, 'utf8'), ca: values.ca ? await readFile(values.ca, 'utf8') : undefined } : undefined;
    if (values.fleet) {
      if (!values.credentials) throw new UsageError('--fleet needs --credentials FILE');
      const n = Number(values.fleet);
      printers = (JSON.parse(await readFile(values.credentials, 'utf8')) as { thing: string; password: string }[]).slice(0, n);
      if (!Number.isInteger(n) || n < 1 || printers.length < n) throw new UsageError(`--fleet ${values.fleet}: the credentials file has ${printers.length} printers`);
    } else {
      if (!values.thing || (!values.password && !tls)) throw new UsageError('--thing and --password (or --cert and --key) are required, or --fleet N --credentials FILE');
      printers = [{ thing: values.thing, password: values.password }];
    }
    if (values.device && values.fleet) throw new UsageError('--device names the keys of one printer; not with --fleet');
    const agents = await Promise.all(
      printers.map(async (p) =>
        startPrinterAgent({
          thing: p.thing,
          mqttUrl: values.mqtt!,
          username: p.thing,
          password: p.password,
          tls,
          // Keys made by `init` under another name are used, never replaced: the platform knows only those.
          keys: values.device ? await keysFor(stateDir, values.device, false) : await keysFor(stateDir, p.thing, true),
          timeScale,
          telemetryMs: 5000,
          faults: { runoutAt: share('runout-at', values['runout-at']), thermalAt: share('thermal-at', values['thermal-at']) },
          workDir: join(stateDir, p.thing, 'jobs'),
          log: (line) => err(`${p.thing}: ${line}\n`),
        }),
      ),
    );
    out(`${agents.length} printer(s) connected to ${values.mqtt}. Ctrl-C to stop.\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await Promise.all(agents.map((a) => a.stop()));
    return 0;
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`${(e as Error).message}\n${usage}\n`);
      return 2;
    }
    err(`dpm-printer: ${(e as Error).message}\n`);
    return 1;
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
