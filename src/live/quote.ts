/**
 * A request value made safe to quote in a one-line error: JSON-quoted, cut at 64
 * characters, anything but printable ASCII replaced by `?`.
 *
 * @example
 * quote('evil.example:9464'); // '"evil.example:9464"'
 * quote('a\nb'); // '"a\\nb"'
 */
export function quote(value: string): string {
  const cut = value.length > 64 ? `${value.slice(0, 64)}…` : value;
  return JSON.stringify(cut).replace(/[^\x20-\x7e]/g, '?');
}
