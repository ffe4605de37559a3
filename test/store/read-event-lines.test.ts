import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { listEventFiles } from '../../src/store/event-files.js';
import { readEventLines, type EventLine } from '../../src/store/read-event-lines.js';

const dir = (files: Record<string, string | Buffer>): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-lines-'));
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(d, name), content);
  return d;
};
async function all(d: string, options = {}): Promise<EventLine[]> {
  const out: EventLine[] = [];
  for await (const l of readEventLines(d, options)) out.push(l);
  return out;
}

describe('readEventLines', () => {
  it('splits lines across tiny chunks, multi-byte characters included, with byte offsets', async () => {
    const text = 'αβγ one\n\nδ two\nlast, torn';
    const lines = await all(dir({ 'events.jsonl': text }), { chunkBytes: 3 });
    expect(lines.map((l) => [l.line, l.text, l.start, l.terminated])).toEqual([
      [1, 'αβγ one', 0, true],
      [2, '', 11, true],
      [3, 'δ two', 12, true],
      [4, 'last, torn', 19, false],
    ]);
    expect(Buffer.from(text).subarray(19).toString()).toBe('last, torn');
  });

  it('reads closed segments (compressed or not) before events.jsonl, in number order', async () => {
    const d = dir({
      'events.jsonl': 'e\n',
      'events-000010.jsonl.gz': gzipSync('d\n'),
      'events-000002.jsonl': 'c\n',
      'events-000001.jsonl.gz': gzipSync('a\nb\n'),
      'other.jsonl': 'x\n',
    });
    const lines = await all(d);
    expect(lines.map((l) => l.text)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(lines.map((l) => [path.basename(l.file), l.line, l.live])).toEqual([
      ['events-000001.jsonl.gz', 1, false],
      ['events-000001.jsonl.gz', 2, false],
      ['events-000002.jsonl', 1, false],
      ['events-000010.jsonl.gz', 1, false],
      ['events.jsonl', 1, true],
    ]);
  });

  it('prefers the .gz of a segment present twice, and follows a plain segment compressed after listing', async () => {
    const d = dir({ 'events-000001.jsonl': 'a\nb\n', 'events-000001.jsonl.gz': gzipSync('a\nb\n') });
    expect(listEventFiles(d).map((f) => path.basename(f.file))).toEqual(['events-000001.jsonl.gz']);
    const listed = listEventFiles(dir({ 'events-000001.jsonl': 'x\n' }));
    const moved = path.dirname((listed[0] as { file: string }).file);
    fs.rmSync(path.join(moved, 'events-000001.jsonl'));
    fs.writeFileSync(path.join(moved, 'events-000001.jsonl.gz'), gzipSync('x\n'));
    expect((await all(moved, { files: listed })).map((l) => path.basename(l.file))).toEqual(['events-000001.jsonl.gz']);
  });

  it('refuses a line longer than maxLineBytes, so a damaged file cannot fill memory', async () => {
    const d = dir({ 'events.jsonl': `ok\n${'x'.repeat(5000)}\n` });
    await expect(all(d, { maxLineBytes: 1024, chunkBytes: 256 })).rejects.toThrow(
      /events\.jsonl:2: line longer than 1024 bytes/,
    );
    await expect(
      all(dir({ 'events.jsonl': 'y'.repeat(5000) }), { maxLineBytes: 1024, chunkBytes: 256 }),
    ).rejects.toThrow(/events\.jsonl:1: line longer/);
  });

  it('yields nothing for a missing history and names a corrupt segment', async () => {
    expect(await all(path.join(os.tmpdir(), 'lossband-no-such-dir'))).toEqual([]);
    const d = dir({ 'events-000001.jsonl.gz': Buffer.from('not gzip at all') });
    await expect(all(d)).rejects.toThrow(/events-000001\.jsonl\.gz: cannot read the history/);
  });
});
