/**
 * The JSON object a line of text holds, or undefined when it holds anything else (invalid
 * JSON, null, an array, a scalar): how the store and the feed read one line of `events.jsonl`.
 *
 * @example
 * jsonObject('{"epoch":3}'); // { epoch: 3 }
 * jsonObject('[1]'); // undefined
 */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  return json !== null && typeof json === 'object' && !Array.isArray(json)
    ? (json as Record<string, unknown>)
    : undefined;
}
