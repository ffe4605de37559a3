import { LineCounter, parseDocument } from 'yaml';
import { UserError } from '../core/user-error.js';

/** A YAML (or JSON) document as plain data, with a way back from a key to where it stands. */
export interface LocatedYaml {
  /** The document as plain JS: `undefined` or `null` for an empty one. */
  readonly value: unknown;
  /**
   * `file:line:column` of the deepest node along `key` that the document has (the whole key
   * when present, else its nearest present parent, else the document), or `file` when the
   * document has no node at all.
   */
  readonly where: (key: readonly (string | number)[]) => string;
}

/**
 * Parses the text of a config or sweep file so that every error can name `file:line:column`.
 * A leading BOM is ignored; duplicate keys, syntax errors and alias bombs (more than 100
 * uses of one alias) are refused with a one-line {@link UserError} naming the file and,
 * where the parser knows it, the position.
 *
 * @example
 * const { value, where } = parseLocatedYaml('model:\n  hidden: 0\n', 'run.yaml');
 * where(['model', 'hidden']); // 'run.yaml:2:11'
 */
export function parseLocatedYaml(text: string, file: string): LocatedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number | undefined): string => {
    if (offset === undefined) return file;
    const pos = lines.linePos(offset);
    return `${file}:${pos.line}:${pos.col}`;
  };
  const syntax = doc.errors[0];
  if (syntax) throw new UserError(`${at(syntax.pos[0])}: ${syntax.message.split('\n')[0]}`);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new UserError(`${file}: ${(err as Error).message.split('\n')[0] ?? 'invalid YAML'}`);
  }
  const where = (key: readonly (string | number)[]): string => {
    for (let n = key.length; n >= 0; n--) {
      const node = (n === 0 ? doc.contents : doc.getIn(key.slice(0, n), true)) as {
        range?: [number, number, number];
      } | null;
      if (node?.range) return at(node.range[0]);
    }
    return file;
  };
  return { value, where };
}
