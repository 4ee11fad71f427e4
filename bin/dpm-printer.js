#!/usr/bin/env node
// The `dpm-printer` command: the printer agent, run through tsx from a checkout (`npx dpm-printer ...`).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/printer-main.ts');
process.exitCode = await main(process.argv.slice(2));
