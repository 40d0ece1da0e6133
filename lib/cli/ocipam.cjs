#!/usr/bin/env node
// Entry for the `ocipam` command: runs the TypeScript CLI through tsx so a checkout works without a build step.
require("tsx/cjs");
require("./main.ts");
