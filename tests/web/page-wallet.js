/* The test wallet's page side (tests/web/test-wallet.ts injects it as `(<this function>)(args)`): a wallet-standard
   wallet whose every feature call goes to the test process through the `binding` function, as an extension's
   page script talks to its background. */
function pageWallet({ address, publicKey, binding, omit }) {
  const call = (request) => window[binding](request);
  const chains = ["solana:localnet", "solana:devnet", "solana:testnet", "solana:mainnet"];
  const features = ["solana:signTransaction", "solana:signAndSendTransaction", "solana:signMessage"].filter((f) => !omit.includes(f));
  const account = Object.freeze({ address, publicKey: new Uint8Array(publicKey), chains, features, label: "Test account" });
  let accounts = [];
  const listeners = new Set();
  const emit = () => listeners.forEach((listener) => listener({ accounts }));
  const wallet = {
    version: "1.0.0",
    name: "Test Wallet",
    icon: "data:image/svg+xml;base64,PHN2ZyB4bWxucz0naHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmcnIHZpZXdCb3g9JzAgMCAzMiAzMic+PHJlY3Qgd2lkdGg9JzMyJyBoZWlnaHQ9JzMyJyByeD0nOCcgZmlsbD0nIzE2YTM0YScvPjwvc3ZnPg==",
    chains,
    get accounts() {
      return accounts;
    },
    features: {
      "standard:connect": {
        version: "1.0.0",
        async connect(input) {
          if (!input?.silent) await call({ kind: "connect", payload: [] });
          else if (accounts.length === 0) return { accounts };
          accounts = [account];
          emit();
          return { accounts };
        },
      },
      "standard:disconnect": {
        version: "1.0.0",
        async disconnect() {
          accounts = [];
          emit();
        },
      },
      "standard:events": {
        version: "1.0.0",
        on(_event, listener) {
          listeners.add(listener);
          return () => {
            listeners.delete(listener);
          };
        },
      },
      "solana:signTransaction": {
        version: "1.0.0",
        supportedTransactionVersions: ["legacy", 0],
        async signTransaction(...inputs) {
          const signed = await call({ kind: "signTransaction", payload: inputs.map((i) => Array.from(i.transaction)) });
          return signed.map((bytes) => ({ signedTransaction: new Uint8Array(bytes) }));
        },
      },
      "solana:signAndSendTransaction": {
        version: "1.0.0",
        supportedTransactionVersions: ["legacy", 0],
        async signAndSendTransaction(...inputs) {
          const signatures = await call({ kind: "signAndSendTransaction", payload: inputs.map((i) => Array.from(i.transaction)) });
          return signatures.map((bytes) => ({ signature: new Uint8Array(bytes) }));
        },
      },
      "solana:signMessage": {
        version: "1.0.0",
        async signMessage(...inputs) {
          const signatures = await call({ kind: "signMessage", payload: inputs.map((i) => Array.from(i.message)) });
          return inputs.map((input, i) => ({ signedMessage: input.message, signature: new Uint8Array(signatures[i]) }));
        },
      },
    },
  };
  for (const feature of omit) delete wallet.features[feature];
  // The wallet-standard registration handshake, both directions (the app may load before or after the wallet).
  const register = (api) => api.register(wallet);
  try {
    window.dispatchEvent(new CustomEvent("wallet-standard:register-wallet", { detail: register }));
  } catch (error) {
    console.error("wallet-standard:register-wallet could not be dispatched", error);
  }
  window.addEventListener("wallet-standard:app-ready", (event) => register(event.detail));
}
