/** `chainference ask "prompt"`: definition (the action is in ./action). */
import type { Command } from "commander";
import { lazyAction } from "../../shared/lazy-action";
import { addTermsOptions, type TermsFlags } from "./terms-options";

export type AskFlags = TermsFlags & {
  system?: string;
  maxTokens?: string;
  temperature?: string;
  wait: boolean;
  session?: boolean;
  deposit: string;
  grace?: string;
};

/** SOL escrowed when `ask --session` opens a session. */
export const DEFAULT_SESSION_DEPOSIT = "0.05";

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
    .option("--session", "ask through a session: answers stream off-chain, paid by vouchers, no transaction per answer")
    .option("--deposit <sol>", "with --session: the deposit escrowed when a session is opened", DEFAULT_SESSION_DEPOSIT)
    .option("--grace <duration>", "with --session: time the server keeps to settle after you request a close (default 2m, at least 1m)")
    .addHelpText(
      "after",
      `
The stake is escrowed in the request account: the server is paid its price for the tokens it
actually used (minus the protocol fee) and the rest comes back. A request nobody locks in time is
cancelled, and one whose server misses its deadline is expired: either way the stake is refunded.
Ctrl-C cancels a request no server has locked yet.

Privacy: the prompt is encrypted for the one best eligible server only. If it does not lock within
--hand-off-wait, the request is handed to the next eligible server (the data key is wrapped for that
server alone; the one it replaces can no longer lock). --fan-out n names n servers at once: every one
of them can read the prompt, whether or not it locks; use it only for --no-wait requests that nobody
will be online to hand off.

With --session, the first ask opens a session with the best eligible server (one transaction, the
deposit escrowed); later asks reuse it while it has deposit left (no transaction: each answer is
paid by vouchers the session key signs, and the server settles them on chain). Session answers are
not on chain: they are kept encrypted in a local history. See 'chainference sessions'.

Examples:
  $ chainference ask "Why is the sky blue?"
  $ chainference ask "Summarize Solana in one line" --system "Be brief" --stake 0.02 --timeout 2m
  $ chainference ask "Hello" --server 7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU --min-completed 10 --max-price 5
  $ chainference ask "Hello" --fan-out 3 --no-wait         # three servers can read it; no hand-off needed
  $ chainference ask "Hello" --session --deposit 0.05       # open a session, or reuse the open one
  $ cat question.txt | chainference ask - --url devnet --json`,
    )
    .action(lazyAction(() => import("./action"), "askAction"));
}
