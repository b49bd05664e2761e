/** The command tree: global options, one register function per command, uniform error handling. */
import { Command, CommanderError, Option } from "commander";
import { registerAdmin } from "./commands/admin/definition";
import { registerAirdrop } from "./commands/airdrop/definition";
import { registerAsk } from "./commands/ask/definition";
import { registerCancel } from "./commands/cancel/definition";
import { registerDemo } from "./commands/demo/definition";
import { registerExpire } from "./commands/expire/definition";
import { registerGateway } from "./commands/gateway/definition";
import { registerHistory } from "./commands/history/definition";
import { registerKeygen } from "./commands/keygen/definition";
import { registerLocalnet } from "./commands/localnet/definition";
import { registerRate } from "./commands/rate/definition";
import { registerServe } from "./commands/serve/definition";
import { registerServers } from "./commands/servers/definition";
import { registerSessions } from "./commands/sessions/definition";
import { registerWeb } from "./commands/web/definition";

const DESCRIPTION =
  "Decentralized, private, streaming LLM inference settled on Solana: ask a question, and a provider's answer streams back encrypted, chunk by chunk, through the chain. You pay at most your stake; the server gets its price minus the protocol fee and the rest comes back.";

const EXAMPLES = `
Examples:
  $ chainference demo                                   # the whole flow on an in-process chain with a real model
  $ chainference keygen && chainference airdrop 1 --url localnet   # a wallet, funded on a local chain
  $ chainference localnet --with-provider               # a local chain with a provider, at http://127.0.0.1:8899
  $ chainference servers --url localnet                 # who serves what, at what price, with what record
  $ chainference ask "Why is the sky blue?" --stake 0.01 --url localnet
  $ chainference ask "Why is the sky blue?" --session --url localnet   # answers off-chain, paid by vouchers
  $ chainference sessions --url localnet                # your sessions; close one for the refund
  $ chainference history --url localnet
  $ chainference gateway --port 8080                    # an OpenAI-compatible API paid from your wallet
  $ chainference web --url localnet                     # the web app: chat, market, history, provider pages

Global options go anywhere: --url devnet, --keypair ~/.config/solana/id.json, --json, --verbose.`;

/** Every command and subcommand, depth first. */
function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

/** `chainference admin set-fee` for error hints. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/**
 * Builds the `chainference` program.
 *
 * @example
 * await buildProgram().parseAsync(process.argv);
 */
export function buildProgram(): Command {
  const program = new Command("chainference")
    .description(DESCRIPTION)
    .version("0.1.0", "-V, --version")
    .addOption(
      new Option(
        "-u, --url <url-or-moniker>",
        "RPC URL or moniker: localnet, devnet, testnet, mainnet-beta (default: the Solana CLI config's, else localnet, never mainnet-beta)",
      ),
    )
    .addOption(new Option("-k, --keypair <path>", "wallet keypair file (default: the Solana CLI config's, else ~/.config/solana/id.json)"))
    .option("--json", "print one JSON document instead of text")
    .option("--verbose", "on errors, print the stack, causes and program logs")
    .option("--explorer-links", "print full explorer links for transactions on local chains too (default there: short signatures)")
    .addHelpText("after", EXAMPLES)
    .showSuggestionAfterError(true);

  registerDemo(program);
  registerLocalnet(program);
  registerKeygen(program);
  registerAirdrop(program);
  registerServers(program);
  registerAsk(program);
  registerSessions(program);
  registerHistory(program);
  registerCancel(program);
  registerExpire(program);
  registerRate(program);
  registerAdmin(program);
  registerServe(program);
  registerGateway(program);
  registerWeb(program);

  for (const command of allCommands(program)) {
    command.configureOutput({ outputError: () => undefined }).exitOverride((err: CommanderError) => {
      throw Object.assign(err, { commandPath: commandPath(command) });
    });
  }
  return program;
}
