import { describe, expect, it } from 'vitest';
import { parseLocatedYaml } from '../../src/config/parse-located-yaml.js';
import { UserError } from '../../src/core/user-error.js';

const TEXT = 'epochs: 10\nmodel:\n  hidden: [16, 8]\n  learningRate: -1\n';

describe('parseLocatedYaml', () => {
  it('returns the document as plain data', () => {
    expect(parseLocatedYaml(TEXT, 'a.yaml').value).toEqual({
      epochs: 10,
      model: { hidden: [16, 8], learningRate: -1 },
    });
    expect(parseLocatedYaml('{"seed": 3}', 'a.json').value).toEqual({ seed: 3 });
    expect(parseLocatedYaml('', 'empty.yaml').value).toBeNull();
  });

  it('names file:line:column of a key, of a list item and of the document', () => {
    const { where } = parseLocatedYaml(TEXT, 'a.yaml');
    expect(where(['model', 'learningRate'])).toBe('a.yaml:4:17');
    expect(where(['model', 'hidden', 1])).toBe('a.yaml:3:16');
    expect(where([])).toBe('a.yaml:1:1');
  });

  it('falls back to the nearest present parent of a missing key', () => {
    const { where } = parseLocatedYaml(TEXT, 'a.yaml');
    expect(where(['model', 'lerningRate'])).toBe('a.yaml:3:3');
    expect(where(['nope', 'deeper'])).toBe('a.yaml:1:1');
  });

  it('names the file alone when the document has no node', () => {
    expect(parseLocatedYaml('', 'empty.yaml').where(['a'])).toBe('empty.yaml');
  });

  it('ignores a leading byte-order mark when counting columns', () => {
    expect(parseLocatedYaml(`\uFEFF${TEXT}`, 'bom.yaml').where(['epochs'])).toBe('bom.yaml:1:9');
  });

  it('refuses a syntax error, a duplicate key and an alias bomb in one line naming the file', () => {
    const refuse = (text: string): string => {
      try {
        parseLocatedYaml(text, 'bad.yaml');
      } catch (err) {
        expect(err).toBeInstanceOf(UserError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refuse('a: [1, 2\n')).toMatch(/^bad\.yaml:\d+:\d+: \S/);
    expect(refuse('a: 1\na: 2\n')).toMatch(/^bad\.yaml:2:1: Map keys must be unique/);
    const bomb = `a: &a [x]\nb: [${Array.from({ length: 101 }, () => '*a').join(', ')}]\n`;
    expect(refuse(bomb)).toMatch(/^bad\.yaml: /);
    for (const text of ['a: [1, 2\n', 'a: 1\na: 2\n', bomb]) expect(refuse(text)).not.toContain('\n');
  });
});
