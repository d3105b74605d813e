#!/usr/bin/env node
// The `twiza` command. Twiza runs its TypeScript sources directly through tsx, so there is no
// build step between a checkout and a running site.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
