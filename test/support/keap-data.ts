/**
 * Keap's reference data (its OpenAPI documents, API-FACTS.md) lies beside the project in
 * ../shared/keap/, never in the repo. The tests that read it skip when it is missing, except under
 * CI=true: there a missing file fails the run, as a missing browser or keychain does, so that a
 * green CI run never means "not checked". KEAP_REFERENCE_DIR points elsewhere (the test of this
 * rule, test/conformance-ci.test.ts, points it at an empty folder).
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const keapDir = process.env.KEAP_REFERENCE_DIR ?? resolve(projectRoot, '..', 'shared', 'keap');

/** A file of Keap's reference data: `v1-openapi.json`, `v2-openapi.yml`. */
export function keapFile(name: string): string {
  return join(keapDir, name);
}

/** Says that `suite` is not tested for want of `file`; under CI=true also adds a test that fails. */
export function keapDataMissing(suite: string, file: string): void {
  const mustRun = process.env.CI === 'true';
  console.warn(`\n*** ${suite}: ${file} is missing: NOT tested${mustRun ? '; failing, since CI=true' : ''} ***\n`);
  if (mustRun) {
    it(`${suite}: Keap's reference data is present`, () => {
      throw new Error(`${file} is missing, and CI=true does not skip ${suite} (check out the Keap reference data beside the project)`);
    });
  }
}
