/**
 * What the browser tests run against: the real program on an in-process LiteSVM chain served over JSON-RPC
 * (@chainference/localnet, as `chainference localnet` serves it), a provider node with the embedded model and
 * its session server (published as the Server's endpoint, as `chainference localnet --with-provider` does), and
 * the built web app served by `chainference web`'s server, opened on that RPC URL.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPairSigner, type Address, type KeyPairSigner } from "@solana/kit";
import { CHAINFERENCE_PROGRAM_ADDRESS, defaultProtocolParameters, initializeProtocol } from "@chainference/client";
import { createLiteSvmChain, setUpgradeAuthority, type LiteSvmChain } from "@chainference/client/litesvm";
import { startLocalRpcServer, type LocalRpcServer } from "@chainference/localnet";
import {
  createDefaultLlamaBackend,
  DEFAULT_MODEL,
  defaultNodeConfig,
  startProviderNode,
  type LlamaBackend,
  type ProviderNode,
} from "@chainference/node";
import { serveWebApp, type WebAppServer } from "../../cli/src/commands/web/serve-web-app";
import { withSessionEndpoint } from "../../cli/src/shared/embedded/embedded-provider";
import { PROGRAM_SO } from "../helpers/svm";
import { buildWebApp } from "./web-build";

export const SOL = 1_000_000_000n;

export type WebNetwork = {
  readonly chain: LiteSvmChain;
  readonly rpc: LocalRpcServer;
  readonly app: WebAppServer;
  readonly appDir: string;
  readonly admin: KeyPairSigner;
  readonly node: ProviderNode;
  readonly server: Address;
  /** The node's session endpoint (the Server account's endpoint). */
  readonly sessionEndpoint: string;
  readonly model: string;
  fundedSigner(lamports?: bigint): Promise<KeyPairSigner>;
  /**
   * A second provider node for the same model, sharing the first one's model backend, without sessions (for
   * hand-offs: it stands by while the first one is paused). `stop` drains it and marks its server inactive.
   */
  startSecondNode(): Promise<ProviderNode>;
  close(): Promise<void>;
};

export async function startWebNetwork(): Promise<WebNetwork> {
  const appDir = await buildWebApp();
  const chain = createLiteSvmChain({ programs: [{ address: CHAINFERENCE_PROGRAM_ADDRESS, path: PROGRAM_SO }], slotDurationMs: 400 });
  const admin = await generateKeyPairSigner();
  await chain.airdrop(admin.address, 10n * SOL);
  setUpgradeAuthority(chain.svm, CHAINFERENCE_PROGRAM_ADDRESS, admin.address);
  await initializeProtocol(chain, admin, defaultProtocolParameters(admin.address));
  const rpc = await startLocalRpcServer(chain, 0);
  const scratch = await mkdtemp(join(tmpdir(), "chainference-web-"));
  let llama: LlamaBackend | null = null;
  let node: ProviderNode | null = null;
  let app: WebAppServer | null = null;
  try {
    llama = await createDefaultLlamaBackend({ threads: 1 });
    const operator = await generateKeyPairSigner();
    await chain.airdrop(operator.address, 10n * SOL);
    // Chunks every 150 ms, so a short answer from the small model still arrives in several pieces; in a session, a
    // bill after every chunk, so the running cost moves while the answer streams.
    const defaults = defaultNodeConfig();
    const config = await withSessionEndpoint({
      ...defaults,
      flush: { ...defaults.flush, intervalMs: 150, maxChunkBytes: 900 },
      sessions: { ...defaults.sessions, port: 0, billStepLamports: 0n },
    });
    node = await startProviderNode({
      chain,
      operator,
      config,
      keyringPath: join(scratch, "keyring.json"),
      backends: { [DEFAULT_MODEL.hfId]: llama },
      log: null,
    });
    app = await serveWebApp({ dir: appDir, rpcUrl: rpc.url, port: 0 });
  } catch (error) {
    await node?.stop();
    await llama?.close();
    await rpc.close();
    throw error;
  }
  const started = { node, llama, app };
  return {
    chain,
    rpc,
    app,
    appDir,
    admin,
    node,
    server: node.server,
    sessionEndpoint: node.sessions!.url,
    model: DEFAULT_MODEL.hfId,
    async fundedSigner(lamports = 2n * SOL) {
      const signer = await generateKeyPairSigner();
      if (lamports > 0n) await chain.airdrop(signer.address, lamports);
      return signer;
    },
    async startSecondNode() {
      const operator = await generateKeyPairSigner();
      await chain.airdrop(operator.address, 10n * SOL);
      const defaults = defaultNodeConfig();
      return startProviderNode({
        chain,
        operator,
        config: {
          ...defaults,
          flush: { ...defaults.flush, intervalMs: 150, maxChunkBytes: 900 },
          sessions: { ...defaults.sessions, port: null },
        },
        keyringPath: join(scratch, `keyring-${operator.address}.json`),
        backends: { [DEFAULT_MODEL.hfId]: started.llama },
        log: null,
      });
    },
    async close() {
      await started.app.close();
      await started.node.stop();
      await started.llama.close();
      await rpc.close();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
