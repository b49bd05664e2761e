/**
 * Wallets through wallet-standard: every wallet the page registers (browser extensions, the tests' wallet),
 * connecting one account, and the signer the SDK takes (createWalletSigner). The SDK keeps the wallet's key root
 * in memory for this signer object (`deriveKeyRoot`), so one message signature serves the whole app session.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { getWallets } from "@wallet-standard/app";
import type { Wallet, WalletAccount } from "@wallet-standard/base";
import {
  StandardConnect,
  StandardDisconnect,
  StandardEvents,
  type StandardConnectFeature,
  type StandardDisconnectFeature,
  type StandardEventsFeature,
} from "@wallet-standard/features";
import {
  SolanaSignAndSendTransaction,
  SolanaSignMessage,
  SolanaSignTransaction,
  type SolanaSignAndSendTransactionFeature,
  type SolanaSignMessageFeature,
  type SolanaSignTransactionFeature,
} from "@solana/wallet-standard-features";
import { address as toAddress } from "@solana/kit";
import { createWalletSigner, type WalletSigner } from "@chainference/client/wallet";
import { walletChainId, type Cluster } from "../lib/cluster";

/** Wallets that can pay for requests here: connect, sign (or sign and send) transactions and sign messages. */
function isUsable(wallet: Wallet): boolean {
  return (
    StandardConnect in wallet.features &&
    (SolanaSignTransaction in wallet.features || SolanaSignAndSendTransaction in wallet.features) &&
    SolanaSignMessage in wallet.features &&
    wallet.chains.some((c) => c.startsWith("solana:"))
  );
}

export type WalletState = {
  /** Usable wallets registered in the page. */
  readonly wallets: readonly Wallet[];
  readonly wallet: Wallet | null;
  readonly account: WalletAccount | null;
  /** The SDK signer for the connected account (null when none). */
  readonly signer: (WalletSigner & { readonly prompts: () => number }) | null;
  readonly connecting: boolean;
  connect(wallet: Wallet): Promise<void>;
  disconnect(): Promise<void>;
};

const WalletContext = createContext<WalletState | null>(null);

export function useWallet(): WalletState {
  const state = useContext(WalletContext);
  if (!state) throw new Error("useWallet outside WalletProvider");
  return state;
}

function useRegisteredWallets(): readonly Wallet[] {
  const [wallets, setWallets] = useState<readonly Wallet[]>(() => getWallets().get().filter(isUsable));
  useEffect(() => {
    const api = getWallets();
    const update = () => setWallets(api.get().filter(isUsable));
    const offs = [api.on("register", update), api.on("unregister", update)];
    update();
    return () => offs.forEach((off) => off());
  }, []);
  return wallets;
}

export function WalletProvider({ cluster, children }: { cluster: Cluster; children: ReactNode }) {
  const wallets = useRegisteredWallets();
  const [wallet, setWallet] = useState<Wallet | null>(null);
  const [account, setAccount] = useState<WalletAccount | null>(null);
  const [connecting, setConnecting] = useState(false);
  const chain = walletChainId(cluster);

  // Follow account changes the wallet announces (switching accounts, disconnecting from the extension).
  useEffect(() => {
    if (!wallet || !(StandardEvents in wallet.features)) return;
    const events = (wallet.features as StandardEventsFeature)[StandardEvents];
    return events.on("change", ({ accounts }) => {
      if (accounts) setAccount(accounts[0] ?? null);
    });
  }, [wallet]);

  const signer = useMemo(() => {
    if (!wallet || !account) return null;
    const signMessage = (wallet.features as SolanaSignMessageFeature)[SolanaSignMessage].signMessage;
    const address = toAddress(account.address);
    let prompts = 0;
    const signMessages = async (messages: readonly Uint8Array[]) => {
      prompts++;
      const outputs = await signMessage(...messages.map((message) => ({ account, message })));
      return outputs.map((o) => o.signature);
    };
    // Wallet message prompts since connecting, shown on the history page (the key root needs one).
    const withPrompts = (signer: WalletSigner) => Object.freeze({ ...signer, prompts: () => prompts });
    // Signing only is preferred (the SDK sends and confirms); a wallet that only signs and sends sends itself.
    if (!(SolanaSignTransaction in wallet.features)) {
      const signAndSend = (wallet.features as SolanaSignAndSendTransactionFeature)[SolanaSignAndSendTransaction].signAndSendTransaction;
      return withPrompts(
        createWalletSigner({
          address,
          async signAndSendTransaction(transaction) {
            const [output] = await signAndSend({ account, transaction, chain, options: { commitment: "confirmed" } });
            if (!output) throw new Error("the wallet returned no transaction signature");
            return output.signature;
          },
          signMessages,
        }),
      );
    }
    const signTransaction = (wallet.features as SolanaSignTransactionFeature)[SolanaSignTransaction].signTransaction;
    return withPrompts(
      createWalletSigner({
        address,
        async signTransaction(transaction) {
          const [output] = await signTransaction({ account, transaction, chain });
          if (!output) throw new Error("the wallet returned no signed transaction");
          return output.signedTransaction;
        },
        signMessages,
      }),
    );
  }, [wallet, account, chain]);

  const connect = useCallback(async (next: Wallet) => {
    setConnecting(true);
    try {
      const { accounts } = await (next.features as StandardConnectFeature)[StandardConnect].connect();
      const first = accounts.find((a) => a.chains.some((c) => c.startsWith("solana:"))) ?? accounts[0] ?? null;
      setWallet(next);
      setAccount(first);
      localStorage.setItem("chainference.wallet", next.name);
    } finally {
      setConnecting(false);
    }
  }, []);

  const disconnect = useCallback(async () => {
    if (wallet && StandardDisconnect in wallet.features)
      await (wallet.features as StandardDisconnectFeature)[StandardDisconnect].disconnect().catch(() => undefined);
    localStorage.removeItem("chainference.wallet");
    setWallet(null);
    setAccount(null);
  }, [wallet]);

  // Reconnect silently to the wallet used last time (wallets answer without a prompt once authorized).
  useEffect(() => {
    const last = localStorage.getItem("chainference.wallet");
    if (wallet || !last) return;
    const found = wallets.find((w) => w.name === last);
    if (!found) return;
    const connectFeature = (found.features as StandardConnectFeature)[StandardConnect];
    void connectFeature
      .connect({ silent: true })
      .then(({ accounts }) => {
        if (accounts[0]) {
          setWallet(found);
          setAccount(accounts[0]);
        }
      })
      .catch(() => undefined);
  }, [wallets, wallet]);

  const value = useMemo<WalletState>(
    () => ({ wallets, wallet, account, signer, connecting, connect, disconnect }),
    [wallets, wallet, account, signer, connecting, connect, disconnect],
  );
  return <WalletContext.Provider value={value}>{children}</WalletContext.Provider>;
}
