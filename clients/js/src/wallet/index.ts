// `@chainference/client/wallet`: a browser wallet's byte-level signing as kit signers. Apps with a wallet need it;
// kept off the main entry so its browser budget stays for everyone.
export { createWalletSigner, type WalletFunctions, type WalletSigner } from "./wallet-signer";
export { isSendOnlySigner, withWalletSending } from "./wallet-sending-chain";
