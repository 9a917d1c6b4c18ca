/**
 * File primitives for every layer (DESIGN.md section 1): atomic writes with a mode, a
 * cross-process lock, durable appends, and where data goes (`output.ts`: `-o` and stdout).
 * Imports nothing of ours but `src/errors.ts`.
 */
export { ensureDir, errorCode, tempPathFor, writeError, writeFileAtomic, type AtomicWriteOptions } from './atomic.js';
export { holdRunLock, RunLockBusyError, withFileLock, type FileLockOptions } from './lock.js';
export { appendDurable, type AppendOptions, type DurableAppender } from './append.js';
export {
  gzipOutput,
  inspectOutput,
  openOutput,
  resumeOutput,
  writeLinesAtomic,
  type Output,
  type OutputTarget,
  type TempFile,
} from './output.js';
