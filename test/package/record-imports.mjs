// Loaded with `node --import ./record-imports.mjs`: records every module URL the process
// resolves (ESM and CommonJS) and prints them as JSON on exit, for the tiered-import test.
import { register } from 'node:module';
import Module from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const seen = new Set();
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => seen.add(url));
port1.unref();
register(
  'data:text/javascript,' +
    encodeURIComponent(`
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  port.postMessage(r.url);
  return r;
}`),
  { parentURL: import.meta.url, data: { port: port2 }, transferList: [port2] },
);
const load = Module._load;
Module._load = function (request, parent, isMain) {
  try {
    seen.add(Module._resolveFilename(request, parent, isMain));
  } catch {
    // builtins and failures: irrelevant here
  }
  return load.apply(this, arguments);
};
process.on('exit', () => process.stdout.write('\n__IMPORTS__' + JSON.stringify([...seen]) + '\n'));
