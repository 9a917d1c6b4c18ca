/** Module hooks for record-modules.mjs (they run on the loader's own thread). */
import { appendFileSync } from 'node:fs';

let file;

export function initialize(data) {
  file = data.file;
}

export async function load(url, context, nextLoad) {
  // Written at once, synchronously: the process may exit before any message would arrive.
  if (file) appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
}
