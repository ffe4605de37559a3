export { expandSweep, type SweepPoint } from './expand-sweep.js';
export { loadSweepFile } from './load-sweep-file.js';
export { parseSweep } from './parse-sweep.js';
export { pointAt } from './point-at.js';
export { pointName } from './point-name.js';
export { MAX_SWEEP_POINTS, sweepFileSchema, type LoadedSweep, type SweepFile, type SweepPath } from './sweep-file.js';
