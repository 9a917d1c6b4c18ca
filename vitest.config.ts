import { configDefaults, defineConfig } from 'vitest/config';

// `*.final.test.ts` files check what the rest of the suite left behind (the secret scan over every
// end-to-end output); test/run.mjs runs them after everything else with VITEST_FINAL=1.
const final = process.env.VITEST_FINAL === '1';

export default defineConfig({
  test: {
    include: final ? ['test/**/*.final.test.ts'] : ['test/**/*.test.ts'],
    exclude: final ? configDefaults.exclude : [...configDefaults.exclude, 'test/**/*.final.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
