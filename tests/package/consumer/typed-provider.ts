// A strict TypeScript consumer of @chainference/node (`module: nodenext`, skipLibCheck off), type-checked by
// tests/package/consumer.test.ts inside a project that installed both packed packages.
import type { Chain } from "@chainference/client";
import { createRpcChain } from "@chainference/client";
import { defaultNodeConfig, loadKeypairSigner, startProviderNode, type NodeConfig, type ProviderNode } from "@chainference/node";

export async function startNode(rpcUrl: string, keypairPath: string): Promise<ProviderNode> {
  const chain: Chain = createRpcChain(rpcUrl);
  const config: NodeConfig = { ...defaultNodeConfig(), endpoint: "http://127.0.0.1:7070" };
  const operator = await loadKeypairSigner(keypairPath);
  return startProviderNode({ chain, operator, config });
}
