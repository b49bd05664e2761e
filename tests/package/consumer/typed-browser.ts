// A strict TypeScript consumer in a browser app (`moduleResolution: bundler`, DOM libraries, no Node types,
// skipLibCheck off): the main entry only. tests/package/consumer.test.ts type-checks it against the packed SDK.
import { generateKeyPairSigner, type Address, type Instruction } from "@solana/kit";
import {
  createRpcChain,
  fetchServers,
  getCancelRequestInstruction,
  validateModelId,
  type Chain,
  type ServerWithAddress,
} from "@chainference/client";

export async function listServers(rpcUrl: string): Promise<readonly ServerWithAddress[]> {
  const chain: Chain = createRpcChain(rpcUrl);
  return fetchServers(chain);
}

export async function cancelInstruction(request: Address): Promise<Instruction> {
  const client = await generateKeyPairSigner();
  return getCancelRequestInstruction({ client, request });
}

export const modelIdProblem: string | null = validateModelId("org/model");
