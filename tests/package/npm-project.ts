/**
 * A throwaway npm project outside the repository that installs packed workspace packages, the way a user of
 * the published packages would (tests/package/consumer.test.ts).
 */
import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const run = promisify(execFile);

export type CommandResult = { readonly code: number; readonly stdout: string; readonly stderr: string };

/** Runs a command to its end (never throws on a non-zero exit; the result says). */
export async function runCommand(
  file: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await run(file, [...args], { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof failed.code === "number" ? failed.code : 1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? String(error) };
  }
}

/** Settings an `npm run`/`npx` parent exports that must reach the child npm: where the cache and registry are. */
const KEPT_NPM_SETTING = /^npm_config_(cache|registry|userconfig|globalconfig|https?_proxy|proxy|noproxy|strict_ssl|cafile)$/i;

/** The environment without the rest of a parent npm's `npm_*` variables (prefix, workspace, package), which would aim npm at the repository. */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || KEPT_NPM_SETTING.test(key)));
}

function fail(what: string, result: CommandResult): never {
  throw new Error(`${what} failed (exit ${result.code}):\n${result.stderr.trim()}\n${result.stdout.trim()}`.slice(0, 8_000));
}

/** The tarball `npm pack` names for a package: `@chainference/client@0.1.0` → `chainference-client-0.1.0.tgz`. */
export function tarballName(name: string, version: string): string {
  return `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`;
}

/**
 * `npm pack` of a workspace folder into `destination` (its `prepack` script builds `dist/` first); returns the
 * tarball's path.
 */
export async function packWorkspace(folder: string, destination: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(REPO_ROOT, folder, "package.json"), "utf8")) as { name: string; version: string };
  const result = await runCommand(
    "npm",
    ["pack", "--pack-destination", destination, "--loglevel=error"],
    join(REPO_ROOT, folder),
    npmEnv(),
  );
  if (result.code !== 0) fail(`npm pack ${folder}`, result);
  const tarball = tarballName(manifest.name, manifest.version);
  if (!(await readdir(destination)).includes(tarball)) fail(`npm pack ${folder} (no ${tarball})`, result);
  return join(destination, tarball);
}

/** The version of a package installed at the repository root (to install the same one, from npm's cache). */
export async function installedVersion(name: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(REPO_ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string };
  return manifest.version;
}

/**
 * `npm install` in `project`: from npm's cache alone (`--offline`) when it holds everything, else from the cache
 * first and the registry for what is missing (`--prefer-offline`; a fresh cache lacks the package metadata a
 * lockfile-less install needs). Returns the mode that succeeded.
 */
export async function npmInstall(
  project: string,
  specs: readonly string[],
  flags: readonly string[] = [],
): Promise<"offline" | "prefer-offline"> {
  const args = (mode: string) => ["install", `--${mode}`, "--no-audit", "--no-fund", "--loglevel=error", ...flags, ...specs];
  const offline = await runCommand("npm", args("offline"), project, npmEnv());
  if (offline.code === 0) return "offline";
  const online = await runCommand("npm", args("prefer-offline"), project, npmEnv());
  if (online.code !== 0) fail(`npm install in ${project}`, online);
  return "prefer-offline";
}
