/** Temporary folders for tests that write real files. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'infusionsoft-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
