/** One parsed Server-Sent Events block. */
export interface SseBlock {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  comment?: string;
}

/**
 * Splits an SSE text into complete blocks (each ended by a blank line) and the incomplete
 * rest. Enough of the format for our messages: one `data` line each.
 */
export function parseSse(text: string): { blocks: SseBlock[]; rest: string } {
  const parts = text.split('\n\n');
  const rest = parts.pop() ?? '';
  const blocks = parts.map((part) => {
    const block: SseBlock = {};
    for (const line of part.split('\n')) {
      if (line.startsWith(':')) block.comment = line.slice(1).trim();
      else {
        const colon = line.indexOf(':');
        const field = line.slice(0, colon) as keyof SseBlock;
        block[field] = line.slice(colon + 1).replace(/^ /, '');
      }
    }
    return block;
  });
  return { blocks, rest };
}
