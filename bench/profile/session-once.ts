/** One in-process lossband run, for `node --cpu-prof --import tsx bench/profile/session-once.ts iris 3000`. */
import { selectBackend } from '../../src/engines/tfjs/backend.js';
import { runLossband } from '../lib/session.js';
import type { ModelName } from '../lib/data.js';

await selectBackend();
const model = (process.argv[2] ?? 'iris') as ModelName;
const r = await runLossband({ model, epochs: Number(process.argv[3] ?? 3000) });
console.log(`${model}: ${r.msPerEpoch.toFixed(3)} ms/epoch`, r.wiring);
