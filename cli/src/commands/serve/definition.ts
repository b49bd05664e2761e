/** `chainference serve`: definition (the action is in ./action). */
import { Option, type Command } from "commander";
import type { GpuChoice } from "@chainference/node";
import { lazyAction } from "../../shared/lazy-action";

/** `GPU_CHOICES` of @chainference/node, spelled out so the definition loads without the node package. */
const GPU_CHOICES: readonly GpuChoice[] = ["auto", "cuda", "vulkan", "cpu"];

export type ServeFlags = { config?: string; keyring?: string; sessionsPort?: string; gpu?: GpuChoice };

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("run a provider node: register your server, lock requests you can answer, stream encrypted answers, earn SOL")
    .option(
      "--config <file>",
      "node config JSON: models (Hugging Face id, prices, backend), concurrency, limits (default: the embedded model)",
    )
    .option("--keyring <file>", "server X25519 keyring (default: the config's, else ~/.config/chainference/server-keyring-<operator>.json)")
    .option(
      "--sessions-port <port>",
      "serve sessions (off-chain answers paid by vouchers, docs/sessions.md) on this port of 127.0.0.1, 0 = any free port (default: the config's sessions.port, else off)",
    )
    .addOption(
      new Option(
        "--gpu <backend>",
        "llama.cpp build for embedded models: auto = a CUDA or Vulkan GPU when one works (layers offloaded), else the CPU (default: the config's gpu, else auto)",
      ).choices(GPU_CHOICES),
    )
    .addHelpText(
      "after",
      `
The --keypair wallet is the operator: it owns the server account, pays for every transaction and
receives the earnings. At start it tops the server's bond up to the protocol's minimum (min_bond in
'chainference admin show'; 0.001 SOL by default) from this wallet: a request the node locks and
abandons moves the abandon penalty (20,000 lamports by default) from the bond to that request's
client. 'chainference servers unbond <sol>' takes it back (no lock held, after the cooldown). Without --config the node serves the embedded model (fetch it first with
'bash scripts/fetch-model') at the default prices. First Ctrl-C finishes the answers in progress,
a second one stops at once (locked requests are recovered at the next start). With sessions on, the
first Ctrl-C also settles and closes every session the node served (one transaction each).

Examples:
  $ chainference serve --url localnet
  $ chainference serve --url localnet --sessions-port 8787
  $ chainference serve --gpu cuda --config ~/.config/chainference/node.json --url devnet
  $ chainference serve --config ~/.config/chainference/node.json --url devnet --keypair ~/operator.json`,
    )
    .action(lazyAction(() => import("./action"), "serveAction"));
}
