/**
 * How far the JavaScript heap grows between full collections, for commands that stream records.
 * A run holds little at any time (a page or two of records) but allocates fast, and V8's default
 * lets the heap reach four times what survived the last full collection before collecting again:
 * a 100,000-contact sync peaked at 280 MB resident while 30 to 40 MB of it was live. Three times
 * keeps a sync near 215 MB and an export near 195 MB for the same CPU; twice kept them lower but
 * cost an export some 8% more CPU in collections (`npm run bench`, rows `speed` and `sync`).
 */
import { setFlagsFromString } from 'node:v8';

/** Heap growth after a full collection, in percent of what survived it (V8's own flag, read at each collection). */
const HEAP_GROWING_PERCENT = 200;

let bounded = false;

/** Bounds the heap's growth for the rest of the process (once; later calls do nothing). */
export function boundHeapGrowth(): void {
  if (bounded) return;
  bounded = true;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
