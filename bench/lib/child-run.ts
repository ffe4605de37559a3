/**
 * One measurement in a fresh process, so nothing a previous run left behind (timers,
 * observers, JIT state) is billed to the next one. Prints one JSON line:
 * `{ msPerEpoch, wiring? }`.
 * Usage: node --import tsx bench/lib/child-run.ts lossband|bare iris|mid EPOCHS
 */
import { selectBackend } from '../../src/engines/tfjs/backend.js';
import { BareLoop } from './bare-loop.js';
import { workloadHidden, workloadSplit, type ModelName } from './data.js';
import { runLossband } from './session.js';

const [kind = 'bare', model = 'iris', epochs = '100'] = process.argv.slice(2);
await selectBackend();
let line: string;
if (kind === 'lossband') {
  const r = await runLossband({ model: model as ModelName, epochs: Number(epochs) });
  line = JSON.stringify({ msPerEpoch: r.msPerEpoch, wiring: r.wiring });
} else {
  const loop = new BareLoop(workloadSplit(model as ModelName), workloadHidden(model as ModelName));
  line = JSON.stringify({ msPerEpoch: loop.run(Number(epochs)) });
  loop.dispose();
}
process.stdout.write(line + '\n', () => process.exit(0));
