// A strict TypeScript consumer on Node (`module: nodenext`, skipLibCheck off): the main entry and `/litesvm`.
// tests/package/consumer.test.ts type-checks it inside a project that installed the packed SDK.
import { generateKeyPairSigner, type Address } from "@solana/kit";
import {
  CHAINFERENCE_PROGRAM_ADDRESS,
  computeSettlement,
  defaultProtocolParameters,
  fetchProtocolConfig,
  findConfigPda,
  initializeProtocol,
  isChainferenceClientError,
  type Chain,
  type Settlement,
} from "@chainference/client";
import { createLiteSvmChain, type LiteSvmChain, setUpgradeAuthority } from "@chainference/client/litesvm";

export async function initializeLocalProtocol(programPath: string): Promise<{ config: Address; feeBps: number }> {
  const chain: LiteSvmChain = createLiteSvmChain({ programs: [{ address: CHAINFERENCE_PROGRAM_ADDRESS, path: programPath }] });
  const asChain: Chain = chain;
  const admin = await generateKeyPairSigner();
  await asChain.airdrop(admin.address, 1_000_000_000n);
  setUpgradeAuthority(chain.svm, CHAINFERENCE_PROGRAM_ADDRESS, admin.address);
  await initializeProtocol(asChain, admin, defaultProtocolParameters(admin.address));
  const [config] = await findConfigPda();
  try {
    return { config, feeBps: (await fetchProtocolConfig(asChain)).feeBps };
  } catch (error) {
    if (isChainferenceClientError(error)) throw new Error(`not initialized: ${error.message}`);
    throw error;
  }
}

export const example: Settlement = computeSettlement({
  tokensIn: 10n,
  tokensOut: 20n,
  priceIn: 1_000n,
  priceOut: 2_000n,
  stake: 1_000_000n,
  feeBps: 1_000,
});
