/**
 * A keypair-backed wallet-standard wallet registered into the page, the same shape a browser extension has:
 * `standard:connect`, `standard:disconnect`, `standard:events`, `solana:signTransaction`,
 * `solana:signAndSendTransaction` and `solana:signMessage`. The key stays in the test process (as an
 * extension keeps it outside the page); each feature call is one prompt, counted here, and can be rejected.
 */
import {
  createSignableMessage,
  getBase58Encoder,
  getBase64Decoder,
  getTransactionDecoder,
  getTransactionEncoder,
  type KeyPairSigner,
} from "@solana/kit";
import { readFileSync } from "node:fs";
import type { BrowserContext } from "playwright-core";

/** The page side (./page-wallet.js): plain JavaScript run before the app's scripts, as an extension's content script. */
const PAGE_WALLET = readFileSync(new URL("./page-wallet.js", import.meta.url), "utf8")
  .replace(/^\/\*[\s\S]*?\*\/\s*/, "")
  .replace(/;\s*$/, "");

export type TestWallet = {
  readonly signer: KeyPairSigner;
  /** Prompts the user saw, per feature. */
  readonly prompts: { connect: number; signTransaction: number; signMessage: number; signAndSendTransaction: number };
  /** While true, every prompt is rejected as a user would ("User rejected the request."). */
  reject: boolean;
};

type Call = { kind: "connect" | "signTransaction" | "signMessage" | "signAndSendTransaction"; payload: number[][] };

let bindings = 0;

/**
 * Registers a wallet for `signer` into every page of `context`. `rpcUrl` is where signAndSendTransaction sends;
 * `omit` leaves features out (e.g. `["solana:signTransaction"]`: a wallet that only signs and sends).
 *
 * @example
 * const wallet = await installTestWallet(context, signer, network.rpc.url);
 * expect(wallet.prompts.signMessage).toBe(1);
 */
export async function installTestWallet(
  context: BrowserContext,
  signer: KeyPairSigner,
  rpcUrl: string,
  options: { omit?: readonly ("solana:signTransaction" | "solana:signAndSendTransaction")[] } = {},
): Promise<TestWallet> {
  const wallet: TestWallet = {
    signer,
    prompts: { connect: 0, signTransaction: 0, signMessage: 0, signAndSendTransaction: 0 },
    reject: false,
  };
  const binding = `__chainferenceTestWallet${++bindings}`;
  const decoder = getTransactionDecoder();
  const encoder = getTransactionEncoder();
  const signWire = async (wire: number[]): Promise<{ bytes: Uint8Array; signature: Uint8Array }> => {
    const transaction = decoder.decode(Uint8Array.from(wire));
    const [dictionary] = await signer.signTransactions([transaction as Parameters<KeyPairSigner["signTransactions"]>[0][number]]);
    const signature = dictionary![signer.address]!;
    const signed = { ...transaction, signatures: { ...transaction.signatures, [signer.address]: signature } };
    return { bytes: new Uint8Array(encoder.encode(signed)), signature };
  };
  await context.exposeBinding(binding, async (_source, { kind, payload }: Call): Promise<number[][]> => {
    wallet.prompts[kind]++;
    if (wallet.reject) throw new Error("User rejected the request.");
    if (kind === "connect") return [];
    if (kind === "signMessage") {
      const dictionaries = await signer.signMessages(payload.map((m) => createSignableMessage(Uint8Array.from(m))));
      return dictionaries.map((d) => Array.from(d[signer.address]!));
    }
    const out: number[][] = [];
    for (const wire of payload) {
      const { bytes, signature } = await signWire(wire);
      if (kind === "signAndSendTransaction") {
        const body = {
          jsonrpc: "2.0",
          id: 1,
          method: "sendTransaction",
          params: [getBase64Decoder().decode(bytes), { encoding: "base64" }],
        };
        const answer = (await (
          await fetch(rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
        ).json()) as {
          error?: { message: string };
        };
        if (answer.error) throw new Error(answer.error.message);
        out.push(Array.from(signature));
      } else out.push(Array.from(bytes));
    }
    return out;
  });
  const args = { address: signer.address, publicKey: Array.from(getPublicKeyBytes(signer)), binding, omit: options.omit ?? [] };
  await context.addInitScript({ content: `(${PAGE_WALLET})(${JSON.stringify(args)});` });
  return wallet;
}

/** The 32 public-key bytes of a kit signer (its address, base58-decoded). */
function getPublicKeyBytes(signer: KeyPairSigner): Uint8Array {
  return new Uint8Array(getBase58Encoder().encode(signer.address));
}
