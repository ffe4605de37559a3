/**
 * A fixed-capacity FIFO: pushing onto a full buffer evicts and returns the oldest item.
 * Memory is allocated once; push and evict are O(1).
 *
 * @example
 * const ring = new RingBuffer<number>(2);
 * ring.push(1); ring.push(2);
 * ring.push(3); // → 1 (evicted)
 * ring.toArray(); // [2, 3]
 */
export class RingBuffer<T> {
  readonly capacity: number;
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`Invalid ring capacity: ${capacity}`);
    this.capacity = capacity;
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Appends `item`; returns the evicted oldest item when the buffer was full. */
  push(item: T): T | undefined {
    if (this.count < this.capacity) {
      this.items[(this.start + this.count) % this.capacity] = item;
      this.count++;
      return undefined;
    }
    const evicted = this.items[this.start] as T;
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
    return evicted;
  }

  /** The item `i` places from the oldest (0) or from the newest (-1, -2, …). */
  at(i: number): T | undefined {
    const index = i < 0 ? this.count + i : i;
    if (index < 0 || index >= this.count) return undefined;
    return this.items[(this.start + index) % this.capacity];
  }

  /** Removes newest items while `drop` holds for them; returns how many went. */
  popWhile(drop: (item: T) => boolean): number {
    let removed = 0;
    while (this.count > 0) {
      const index = (this.start + this.count - 1) % this.capacity;
      if (!drop(this.items[index] as T)) break;
      this.items[index] = undefined;
      this.count--;
      removed++;
    }
    return removed;
  }

  /** The items, oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.items[(this.start + i) % this.capacity] as T);
    return out;
  }
}
