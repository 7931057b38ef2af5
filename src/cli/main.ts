#!/usr/bin/env node
/** The `mmcheck` executable: the only place that touches the process (output, exit code). */
import { hideBin } from 'yargs/helpers';
import { runCli } from './app.js';
import { nodeIo } from './io.js';
import { oneLine } from './errors.js';

runCli(hideBin(process.argv), nodeIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`mmcheck: error: internal error: ${oneLine(e instanceof Error ? e.message : String(e))}\n`);
    process.exitCode = 2;
  },
);
