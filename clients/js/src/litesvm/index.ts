// `@chainference/client/litesvm`: the in-process chain on LiteSVM (a native Node binary, an optional peer
// dependency). Kept out of the main entry so that entry bundles for browsers; the embedded chain's constants
// stay internal.
export { createLiteSvmChain, type LandedTransaction, type LiteSvmChain, type LiteSvmChainOptions } from "./litesvm-chain";
export { setUpgradeAuthority } from "./upgrade-authority";
