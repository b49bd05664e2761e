// Plain Node ESM, no TypeScript and no loader: the installed @chainference/client, its main entry and the
// Node-only `/litesvm` entry, against the real program (path in argv). Prints one JSON line that
// tests/package/consumer.test.ts reads.
import { generateKeyPairSigner } from "@solana/kit";
import {
  CHAINFERENCE_ERROR__CHAIN__ACCOUNT_NOT_FOUND,
  CHAINFERENCE_PROGRAM_ADDRESS,
  defaultProtocolParameters,
  fetchProtocolConfig,
  generateX25519KeyPair,
  initializeProtocol,
  isChainferenceClientError,
  validateModelId,
} from "@chainference/client";
import { createLiteSvmChain } from "@chainference/client/litesvm";

const [programPath] = process.argv.slice(2);
// The admin deployed the program (its upgrade authority: the only key initialize_config accepts)
const admin = await generateKeyPairSigner();
const chain = createLiteSvmChain({
  programs: [{ address: CHAINFERENCE_PROGRAM_ADDRESS, path: programPath, upgradeAuthority: admin.address }],
});
const notInitialized = await fetchProtocolConfig(chain).then(
  () => false,
  (error) => isChainferenceClientError(error, CHAINFERENCE_ERROR__CHAIN__ACCOUNT_NOT_FOUND),
);
await chain.airdrop(admin.address, 10_000_000_000n);
await initializeProtocol(chain, admin, defaultProtocolParameters(admin.address));
const config = await fetchProtocolConfig(chain);

console.log(
  JSON.stringify({
    kind: chain.kind,
    notInitialized,
    adminMatches: config.admin === admin.address,
    feeBps: config.feeBps,
    x25519PublicKeyLength: generateX25519KeyPair().publicKey.length,
    modelIdProblem: validateModelId("not a model id"),
  }),
);
