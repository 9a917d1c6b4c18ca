/**
 * Preloaded (`node --import`) by test/e2e/startup.test.ts: appends the URL of every module the
 * process loads, one a line, to the file named by RECORD_MODULES_TO. It changes nothing else.
 */
import { register } from 'node:module';

register('./record-modules-hooks.mjs', import.meta.url, { data: { file: process.env.RECORD_MODULES_TO } });
