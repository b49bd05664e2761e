/** `chainference demo`: definition (the action is in ./action). */
import type { Command } from "commander";
import { lazyAction } from "../../shared/lazy-action";
import { addTermsOptions, type TermsFlags } from "../ask/terms-options";

export const DEFAULT_DEMO_PROMPT = "In two sentences: why is the sky blue?";

export type DemoFlags = TermsFlags & { maxTokens?: string; temperature?: string; system?: string; program?: string; rate: string };

export function registerDemo(program: Command): void {
  const command = program
    .command("demo")
    .description("run the whole flow on an in-process chain with the real program and a real model (about a minute)")
    .argument("[prompt]", "the question to ask", DEFAULT_DEMO_PROMPT);
  addTermsOptions(command)
    .option("--system <text>", "a system message before the question")
    .option("--max-tokens <n>", "longest answer in tokens", "128")
    .option("--temperature <t>", "sampling temperature 0-2 (default: the server's, greedy)")
    .option("--rate <stars>", "rate the server after the answer (1-5, 0 = do not rate)", "5")
    .option("--program <path>", "program .so to deploy (default: target/deploy/chainference.so)")
    .addHelpText(
      "after",
      `
Without --url everything runs in this process: LiteSVM executes target/deploy/chainference.so with
400 ms slots, a provider node loads the embedded model, and a fresh client wallet pays. With --url
(e.g. a 'chainference localnet') the same flow runs against that cluster, airdropping to fresh
wallets, and transactions print as explorer links. Step 7 asks the same question through a session
(open, answer streamed off-chain and paid by a voucher, the node's settle and close) and prints both
paths side by side: transactions, fees, first-token latency.

Examples:
  $ chainference demo
  $ chainference demo "What is Solana?" --max-tokens 64 --stake 0.002
  $ chainference demo --url localnet`,
    )
    .action(lazyAction(() => import("./action"), "demoAction"));
}
