/** The model names the gateway accepts besides Hugging Face ids: built-in aliases and `--model-alias` flags. */
import { validateModelId } from "@chainference/client";
import { DEFAULT_MODEL } from "@chainference/node";
import { usageError } from "../../shared/errors/cli-error";

/** Names OpenAI clients may use for the embedded model, besides its Hugging Face id. */
export const BUILTIN_ALIASES: ReadonlyMap<string, string> = new Map([
  ["default", DEFAULT_MODEL.hfId],
  ["smollm2-135m-instruct", DEFAULT_MODEL.hfId],
]);

/** Parses `--model-alias name=org/model` flags over the built-in aliases. */
export function parseAliases(flags: readonly string[] = []): Map<string, string> {
  const aliases = new Map(BUILTIN_ALIASES);
  for (const flag of flags.flatMap((f) => f.split(",")).filter(Boolean)) {
    const [name, target, ...rest] = flag.split("=");
    if (!name || !target || rest.length > 0) throw usageError(`--model-alias must look like name=org/model, got '${flag}'`);
    const problem = validateModelId(target);
    if (problem) throw usageError(`--model-alias ${name}: '${target}' is not a Hugging Face id (${problem})`);
    aliases.set(name, target);
  }
  return aliases;
}
