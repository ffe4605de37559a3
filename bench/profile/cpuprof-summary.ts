/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by package,
 * so a lossband epoch's time splits into tfjs engine, wasm kernels, rxjs, node internals, ….
 * Usage: tsx bench/profile/cpuprof-summary.ts FILE.cpuprofile [topN]
 */
import fs from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const [file = '', top = '30'] = process.argv.slice(2);
const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fnTime = new Map<string, number>();
const pkgTime = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id);
  if (!n) continue;
  const { functionName, url, lineNumber } = n.callFrame;
  const short = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/work\/main\//, '');
  const key = `${functionName || '(anon)'} ${short}:${lineNumber + 1}`;
  fnTime.set(key, (fnTime.get(key) ?? 0) + us);
  const pkg =
    url === ''
      ? functionName.startsWith('(')
        ? functionName
        : '(native)'
      : url.includes('node_modules/')
        ? (url.split('node_modules/')[1] ?? '')
            .split('/')
            .slice(0, url.includes('node_modules/@') ? 2 : 1)
            .join('/')
        : url.startsWith('node:')
          ? 'node:internal'
          : short.split('/').slice(0, 2).join('/');
  pkgTime.set(pkg, (pkgTime.get(pkg) ?? 0) + us);
}
const show = (m: Map<string, number>, n: number): void => {
  for (const [k, us] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n))
    console.log(`${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
};
console.log(`total ${(total / 1000).toFixed(0)} ms sampled\n-- by package --`);
show(pkgTime, 15);
console.log('-- by function (self) --');
show(fnTime, Number(top));
