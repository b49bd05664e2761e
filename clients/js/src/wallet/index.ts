// `@chainference/client/wallet`: a browser wallet's byte-level signing as kit signers, and one prompt per distinct
// message. Apps with a wallet need it; kept off the main entry so its browser budget stays for everyone.
export { cacheMessageSignatures, type CachedMessageSigner } from "./cached-message-signer";
export { createWalletSigner, type WalletFunctions, type WalletSigner } from "./wallet-signer";
export { isSendOnlySigner, withWalletSending } from "./wallet-sending-chain";
