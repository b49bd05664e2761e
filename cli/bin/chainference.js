#!/usr/bin/env node
// The `chainference` command: runs the TypeScript entry (cli/src/main.ts) through tsx's ESM loader.
// Paths resolve from this file, so it works from any working directory and through npm's bin link.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

const tsconfig = fileURLToPath(new URL("../../tsconfig.json", import.meta.url));
register({ tsconfig: existsSync(tsconfig) ? tsconfig : false });
await import("../src/main.ts");
