#!/usr/bin/env node
// The `chainference` command. Installed from its package it runs the built JavaScript (dist/main.js) on its
// own dependencies; in a checkout of the repository (src/main.ts beside dist) it runs the TypeScript sources
// through tsx, so edits need no build step. Paths resolve from this file, so it works from any directory.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

if (existsSync(fileURLToPath(new URL("../src/main.ts", import.meta.url)))) {
  const { register } = await import("tsx/esm/api");
  const tsconfig = fileURLToPath(new URL("../../tsconfig.json", import.meta.url));
  register({ tsconfig: existsSync(tsconfig) ? tsconfig : false });
  await import("../src/main.ts");
} else {
  await import("../dist/main.js");
}
