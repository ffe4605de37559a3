#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// A closed pipe (`lossband run | head`) ends output, not the run with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE') throw err;
  });
}
process.exit(await main(process.argv));
