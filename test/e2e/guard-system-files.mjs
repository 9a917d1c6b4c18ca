/**
 * Preloaded (`node --import`) into the binary by the tests that write through /dev/stdout. We run
 * as root: a regression that renamed a temporary file over the target would replace the machine's
 * /dev/stdout. This refuses any rename into /dev or /proc instead, so such a regression fails the
 * test and harms nothing. It changes nothing else the binary does.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { resolve } from 'node:path';

const isSystemPath = (path) => /^\/(dev|proc)(\/|$)/.test(resolve(String(path)));
const refused = (path) => Object.assign(new Error(`test guard: refused to rename over ${path}`), { code: 'EPERM' });

const { rename } = fs.promises;
fs.promises.rename = async (from, to) => {
  if (isSystemPath(to)) throw refused(to);
  return rename(from, to);
};
const { rename: renameCallback, renameSync } = fs;
fs.rename = (from, to, callback) => (isSystemPath(to) ? callback(refused(to)) : renameCallback(from, to, callback));
fs.renameSync = (from, to) => {
  if (isSystemPath(to)) throw refused(to);
  return renameSync(from, to);
};
// ESM named imports (`import { rename } from 'node:fs/promises'`) see the replacements too.
syncBuiltinESMExports();
