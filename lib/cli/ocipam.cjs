#!/usr/bin/env node
// Entry for the `ocipam` command: runs the TypeScript CLI through tsx so a checkout works without a build step.
// It calls main() itself rather than letting main.ts guess whether it is the entry point: through a bin symlink
// (node_modules/.bin/ocipam, npx, npm link, a global install) process.argv[1] is the link's path and require.main is
// this file, so no test inside main.ts can recognise the case reliably.
require("tsx/cjs");
require("./main.ts").main(process.argv);
