/**
 * Bridges @codama/renderers-js 2.2.0 (written against @solana/kit 6) and @solana/kit 8.
 *
 * The generated program plugin (`generated/programs/chainference.ts`) declares its return type as
 * `Omit<T, 'chainference'> & { chainference: ChainferencePlugin }`, while kit 8's `extendClient`
 * returns the equivalent flattened `ExtendedClient<T, A>` mapped type, which TypeScript cannot prove
 * assignable for a generic `T`. `codama.json` maps the renderer's `solanaPluginCore` module to this
 * file (`dependencyMap`), so the generated code stays untouched and type-checks.
 */
import { extendClient as kitExtendClient } from "@solana/kit";

/** kit's `extendClient`, typed as the intersection the generated plugin expects. */
export function extendClient<TClient extends object, TAdditions extends object>(
  client: TClient,
  additions: TAdditions,
): Omit<TClient, keyof TAdditions> & TAdditions {
  return kitExtendClient(client, additions) as unknown as Omit<TClient, keyof TAdditions> & TAdditions;
}
