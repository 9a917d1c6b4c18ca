/**
 * Preloaded (`node --import`) by test/e2e/sync-drivers.test.ts: the packages named in
 * HIDE_PACKAGES (comma-separated) cannot be found, as in an install where an optional dependency
 * was left out or failed to build. It changes nothing else.
 */
import { register } from 'node:module';

register('./hide-packages-hooks.mjs', import.meta.url, { data: { hidden: (process.env.HIDE_PACKAGES ?? '').split(',').filter(Boolean) } });
