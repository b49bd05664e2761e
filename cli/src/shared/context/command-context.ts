/** What every command gets from the global options: output, endpoint, chain session, wallet. */
import type { KeyPairSigner } from "@solana/kit";
import type { Command } from "commander";
import { loadKeypairSigner, resolveSolanaSettings, type SolanaSettings } from "@chainference/node";
import { createOutput, type Output } from "../output/output";
import { toEndpoint, type Endpoint } from "./endpoint";
import { createRpcSession, type Session } from "./session";

/** The global options, as commander parses them. */
export type GlobalOptions = {
  readonly url?: string;
  readonly keypair?: string;
  readonly json?: boolean;
  readonly verbose?: boolean;
  readonly explorerLinks?: boolean;
};

export type CommandContext = {
  readonly options: GlobalOptions;
  readonly out: Output;
  /** `--url` / `--keypair` resolved with the Solana CLI's precedence (flag, CLI config file, default). */
  readonly settings: SolanaSettings;
  readonly endpoint: Endpoint;
  /** A session over {@link CommandContext.endpoint} (created on first use). */
  session(): Session;
  /** The `--keypair` wallet (loaded on first use). */
  wallet(): Promise<KeyPairSigner>;
};

/**
 * Builds the context from a command's options (its own and the program's global ones).
 *
 * @example
 * const ctx = await createCommandContext(command);
 * const servers = await fetchServers(ctx.session().chain);
 */
export async function createCommandContext(command: Command): Promise<CommandContext> {
  const options = command.optsWithGlobals<GlobalOptions>();
  const out = createOutput({ json: options.json ?? false, verbose: options.verbose ?? false });
  const settings = await resolveSolanaSettings({
    ...(options.url === undefined ? {} : { url: options.url }),
    ...(options.keypair === undefined ? {} : { keypair: options.keypair }),
  });
  const endpoint = toEndpoint(settings.url);
  let session: Session | undefined;
  let wallet: Promise<KeyPairSigner> | undefined;
  return {
    options,
    out,
    settings,
    endpoint,
    session: () => (session ??= createRpcSession(endpoint, out, { explorerLinks: options.explorerLinks ?? false })),
    wallet: () => (wallet ??= loadKeypairSigner(settings.keypairPath)),
  };
}
