#!/usr/bin/env node
// The `dpm` command: runs the TypeScript CLI through tsx, so `npx dpm verify ...` works in a checkout.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
