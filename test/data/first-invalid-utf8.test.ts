import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8 } from '../../src/data/first-invalid-utf8.js';

const at = (...bytes: number[]) => firstInvalidUtf8(Uint8Array.from(bytes));

describe('firstInvalidUtf8', () => {
  it('is -1 for valid UTF-8 of every length', () => {
    expect(firstInvalidUtf8(Buffer.from('plain, café, 日本, 😀'))).toBe(-1);
    expect(at()).toBe(-1);
  });

  it('points at a Latin-1 byte, a stray continuation byte and a truncated sequence', () => {
    expect(at(0x63, 0x61, 0x66, 0xe9)).toBe(3);
    expect(at(0x61, 0x80, 0x62)).toBe(1);
    expect(at(0x61, 0xe6, 0x97)).toBe(1);
  });

  it('refuses overlong forms, surrogates and code points above U+10FFFF', () => {
    expect(at(0xc0, 0xaf)).toBe(0); // overlong '/'
    expect(at(0xe0, 0x80, 0xaf)).toBe(0); // overlong
    expect(at(0x41, 0xed, 0xa0, 0x80)).toBe(1); // U+D800
    expect(at(0xf4, 0x90, 0x80, 0x80)).toBe(0); // U+110000
    expect(at(0xf4, 0x8f, 0xbf, 0xbf)).toBe(-1); // U+10FFFF
  });
});
