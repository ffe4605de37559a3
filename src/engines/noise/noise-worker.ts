import { parentPort } from 'node:worker_threads';
import { Gaussian } from './gaussian.js';
import { CTRL, type NoiseRequest } from './noise-protocol.js';

// Fills one block of N(0, 1) samples per request while the main thread trains an epoch.
parentPort?.on('message', (request: NoiseRequest) => {
  const control = new Int32Array(request.control);
  const gaussian = new Gaussian('', { words: request.words });
  gaussian.fill(new Float32Array(request.samples, 0, request.length));
  const after = gaussian.state().words;
  for (let i = 0; i < 4; i++) control[CTRL.STATE + i] = after[i] as number;
  control[CTRL.LENGTH] = request.length;
  Atomics.store(control, CTRL.READY, 1);
  Atomics.notify(control, CTRL.READY);
});
