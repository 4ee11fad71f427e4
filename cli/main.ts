// `dpm`: the command line for anyone who wants to check a product without trusting DPM.
//   dpm verify <asset-id> --ledger URL [--header 'name: value']... [--json]
//   dpm verify --bundle FILE [--json]
//   dpm proof <asset-id> --ledger URL [--header ...] --out FILE
//   dpm slice <model.stl> --out FILE [--settings settings.json] [--profile profile.json]
// Exit codes: 0 verified (or proof or G-code written), 1 not verified, not found or not sliceable, 2 usage error.
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { BigchainDbHttpLedger } from '../shared/adapters/bigchaindb-http-ledger.js';
import { parseStl } from '../shared/designs/stl.js';
import { toGcode } from '../shared/slicing/gcode.js';
import { PrinterProfile, SliceSettings } from '../shared/slicing/printer-profile.js';
import { slice } from '../shared/slicing/slice.js';
import { checkBundle, fetchBundle, type ProofBundle } from './proof-bundle.js';
import { renderStory } from './render.js';

const usage = `Usage:
  dpm verify <asset-id> --ledger URL [--header 'name: value']... [--json]
  dpm verify --bundle FILE [--json]
  dpm proof <asset-id> --ledger URL [--header 'name: value']... --out FILE
  dpm slice <model.stl> --out FILE [--settings settings.json] [--profile profile.json]`;

class UsageError extends Error {}

function headersOf(values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of values ?? []) {
    const i = h.indexOf(':');
    if (i < 1) throw new UsageError(`--header must look like 'name: value' (got ${JSON.stringify(h)})`);
    out[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return out;
}

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ledger: { type: 'string' },
        header: { type: 'string', multiple: true },
        bundle: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
        settings: { type: 'string' },
        profile: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command, assetId, ...extra] = positionals;
    if (values.help) {
      out(`${usage}\n`);
      return 0;
    }
    if (extra.length) throw new UsageError(`Unexpected arguments: ${extra.join(' ')}`);
    const ledger = () => {
      if (!values.ledger) throw new UsageError('--ledger URL is required');
      try {
        new URL(values.ledger);
      } catch {
        throw new UsageError(`--ledger is not a URL: ${values.ledger}`);
      }
      return new BigchainDbHttpLedger(values.ledger, headersOf(values.header));
    };
    const validAsset = (id: string | undefined) => {
      if (!id || !/^[0-9a-f]{64}$/.test(id)) throw new UsageError('An asset id (64 lowercase hex characters, the CREATE transaction id) is required');
      return id;
    };

    if (command === 'verify') {
      let bundle: ProofBundle;
      if (values.bundle) {
        if (assetId) throw new UsageError('Give either an asset id with --ledger, or --bundle, not both');
        bundle = JSON.parse(await readFile(values.bundle, 'utf8')) as ProofBundle;
      } else {
        bundle = await fetchBundle(ledger(), validAsset(assetId), values.ledger!);
      }
      const result = checkBundle(bundle);
      out(values.json ? `${JSON.stringify(result, null, 2)}\n` : renderStory(result, values.bundle ? `proof bundle ${values.bundle}` : values.ledger!));
      return result.verified ? 0 : 1;
    }
    if (command === 'slice') {
      if (!assetId) throw new UsageError('An STL file is required');
      if (!values.out) throw new UsageError('--out FILE is required');
      const profile = PrinterProfile.parse(values.profile ? JSON.parse(await readFile(values.profile, 'utf8')) : {});
      const settings = SliceSettings.parse(values.settings ? JSON.parse(await readFile(values.settings, 'utf8')) : {});
      const { positions } = parseStl(await readFile(assetId), { maxBytes: 512 * 1024 * 1024 });
      const result = toGcode(slice(positions, profile, settings), profile, settings);
      await writeFile(values.out, result.gcode);
      out(`${values.out}: ${result.layerCount} layers, ${result.filamentMm.toFixed(0)} mm of filament (${result.filamentGrams.toFixed(1)} g), about ${Math.round(result.estimatedSeconds / 60)} min\n`);
      return 0;
    }
    if (command === 'proof') {
      if (!values.out) throw new UsageError('--out FILE is required');
      const bundle = await fetchBundle(ledger(), validAsset(assetId), values.ledger!);
      const result = checkBundle(bundle);
      await writeFile(values.out, JSON.stringify(bundle, null, 2) + '\n');
      const lot = bundle.lot ? `, and ${bundle.lot.transactions.length} of material lot ${bundle.lot.lotId}` : '';
      out(`Proof bundle for ${bundle.assetId} written to ${values.out} (${bundle.transactions.length} transactions${lot}; ${result.verified ? 'verified' : 'NOT verified'})\n`);
      return result.verified ? 0 : 1;
    }
    throw new UsageError(command ? `Unknown command ${command}` : 'A command is required');
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`${(e as Error).message}\n${usage}\n`);
      return 2;
    }
    err(`dpm: ${(e as Error).message}\n`);
    return 1;
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
