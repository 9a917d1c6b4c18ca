#!/usr/bin/env node
// Thin shim: the CLI lives in dist/ (built with `npm run build`).
import { main } from '../dist/cli.js';

main(process.argv).then((code) => {
  process.exitCode = code;
});
