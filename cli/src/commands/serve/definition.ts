/** `chainference serve`: definition (the action is in ./action). */
import { Option, type Command } from "commander";
import type { GpuChoice } from "@chainference/node";
import { lazyAction } from "../../shared/lazy-action";

/** `GPU_CHOICES` of @chainference/node, spelled out so the definition loads without the node package. */
const GPU_CHOICES: readonly GpuChoice[] = ["auto", "cuda", "vulkan", "cpu"];

export type ServeFlags = {
  config?: string;
  keyring?: string;
  sessionsPort?: string;
  gpu?: GpuChoice;
  rotateKeyEvery?: string;
  idleCpuBelow?: string;
  idleGpuBelow?: string;
  serveHours?: string;
};

export type ServePauseFlags = { config?: string; keyring?: string; reason?: string };

export function registerServe(program: Command): void {
  const serve = program
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
    .option(
      "--rotate-key-every <duration>",
      "publish a new X25519 key this often, e.g. 7d or 12h; old secrets are erased once no locked request or open session uses them (default: the config's keyRotationIntervalMs, else never)",
    )
    .option(
      "--idle-cpu-below <percent>",
      "serve only while other programs use less than this share of the CPU, e.g. 30% (the node's own work is not counted)",
    )
    .option("--idle-gpu-below <percent>", "serve only while the busiest NVIDIA GPU (nvidia-smi) is below this utilization, e.g. 20%")
    .option("--serve-hours <windows>", "serve only inside these daily windows of local time, e.g. 22:00-07:00 or 09:00-12:00,14:00-18:00")
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
first Ctrl-C also settles and closes every session the node served (one transaction each). A stop
after Ctrl-C marks the server inactive on-chain (it leaves clients' allow-lists until the next start).

Keyring at rest: set CHAINFERENCE_KEYRING_PASSPHRASE to keep the keyring file encrypted (scrypt +
XChaCha20-Poly1305, docs/privacy.md §6); a plain keyring is rewritten encrypted. An encrypted keyring
without the variable asks for the passphrase on a terminal.

Idle-time serving: with --idle-cpu-below, --idle-gpu-below or --serve-hours (or the config's "idle"),
and after 'chainference serve pause', the node takes no new requests or session answers, finishes
what it holds, and its session endpoint says it is paused (clients leave it out) until it is idle
again or 'chainference serve resume'.

Examples:
  $ chainference serve --url localnet
  $ chainference serve --url localnet --sessions-port 8787
  $ chainference serve --gpu cuda --config ~/.config/chainference/node.json --url devnet
  $ chainference serve --config ~/.config/chainference/node.json --url devnet --keypair ~/operator.json
  $ chainference serve --idle-cpu-below 30% --serve-hours 22:00-07:00 --rotate-key-every 7d --url devnet`,
    )
    .action(lazyAction(() => import("./action"), "serveAction"));
  const keyringOptions = (command: Command) =>
    command
      .option("--config <file>", "the node config the node runs with (for its keyringPath)")
      .option("--keyring <file>", "the keyring the node runs with (default: the config's, else the operator's default keyring)");
  keyringOptions(
    serve
      .command("pause")
      .description("make the running node take no new requests or session answers (it finishes those in progress), until resumed")
      .option("--reason <text>", "shown to clients probing the node, e.g. 'gaming until 23:00'"),
  )
    .addHelpText(
      "after",
      `
Writes <keyring>.paused beside the node's keyring; the node reads it within its sample interval (2 s),
also after a restart, until 'chainference serve resume' removes it.

Example:
  $ chainference serve pause --reason "rendering until 18:00"`,
    )
    .action(lazyAction(() => import("./pause-action"), "pauseAction"));
  keyringOptions(
    serve.command("resume").description("lift 'chainference serve pause': the node takes work again (its idle policy still applies)"),
  )
    .addHelpText("after", "\nExample:\n  $ chainference serve resume")
    .action(lazyAction(() => import("./pause-action"), "resumeAction"));
}
