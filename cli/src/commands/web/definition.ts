/** `chainference web`: definition (the action is in ./action). */
import type { Command } from "commander";
import { lazyAction } from "../../shared/lazy-action";

export type WebFlags = { port: string; host: string; dir?: string };

export function registerWeb(program: Command): void {
  program
    .command("web")
    .description("serve the web app (chat, market, history, provider pages) for the --url cluster; connect any Solana browser wallet")
    .option("--port <port>", "port to listen on (0 picks a free one)", "5180")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--dir <path>", "the built app (default: the one shipped in this package, or web/dist of a checkout: npm run web:build)")
    .addHelpText(
      "after",
      `
The app opens on the --url cluster (the user may switch in the top bar: localnet, devnet, a custom RPC URL).
Its RPC endpoint must answer browsers: a validator and 'chainference localnet' do (CORS).

Examples:
  $ chainference localnet --with-provider          # in one terminal
  $ chainference web --url localnet                # in another: open the printed address
  $ chainference web --url devnet --port 8080`,
    )
    .action(lazyAction(() => import("./action"), "webAction"));
}
