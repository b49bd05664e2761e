/** `chainference ask "prompt"`: definition (the action is in ./action). */
import type { Command } from "commander";
import { lazyAction } from "../../shared/lazy-action";
import { addTermsOptions, type TermsFlags } from "./terms-options";

export type AskFlags = TermsFlags & { system?: string; maxTokens?: string; temperature?: string; wait: boolean };

export function registerAsk(program: Command): void {
  const command = program
    .command("ask")
    .description("ask a question: eligibility preview, encrypted request, streamed answer, settlement")
    .argument("<prompt>", "the question ('-' reads it from standard input)");
  addTermsOptions(command)
    .option("--system <text>", "a system message before the question")
    .option("--max-tokens <n>", "longest answer in tokens", "256")
    .option("--temperature <t>", "sampling temperature 0-2 (default: the server's)")
    .option("--no-wait", "post the request and exit without waiting for the answer")
    .addHelpText(
      "after",
      `
The stake is escrowed in the request account: the server is paid its price for the tokens it
actually used (minus the protocol fee) and the rest comes back. A request nobody locks in time is
cancelled, and one whose server misses its deadline is expired: either way the stake is refunded.
Ctrl-C cancels a request no server has locked yet.

Examples:
  $ chainference ask "Why is the sky blue?"
  $ chainference ask "Summarize Solana in one line" --system "Be brief" --stake 0.02 --timeout 2m
  $ chainference ask "Hello" --server 7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU --min-completed 10 --max-price 5
  $ cat question.txt | chainference ask - --url devnet --json`,
    )
    .action(lazyAction(() => import("./action"), "askAction"));
}
