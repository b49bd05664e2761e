// Wallets in apps: a browser wallet's byte-level signing as kit signers, and one prompt per distinct message.
export { cacheMessageSignatures, type CachedMessageSigner } from "./cached-message-signer";
export { createWalletSigner, type WalletFunctions, type WalletSigner } from "./wallet-signer";
