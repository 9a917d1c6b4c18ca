#!/usr/bin/env node
// Thin shim: the CLI lives in dist/ (a bundle built with `npm run build`).
import module from 'node:module';

// Node >= 22.1 keeps V8's compiled code between runs (in the OS temp folder) once asked, which must
// be before the CLI's modules load, hence the import() below. Node 20 has no such call.
module.enableCompileCache?.();
const { main } = await import('../dist/cli.js');

main(process.argv).then((code) => {
  process.exitCode = code;
});
