/**
 * File primitives for every layer (DESIGN.md section 1): atomic writes with a mode, a
 * cross-process lock, durable appends. Imports nothing of ours but `src/errors.ts`.
 */
export { ensureDir, writeFileAtomic, type AtomicWriteOptions } from './atomic.js';
export { holdRunLock, withFileLock, type FileLockOptions } from './lock.js';
export { appendDurable, type AppendOptions, type DurableAppender } from './append.js';
