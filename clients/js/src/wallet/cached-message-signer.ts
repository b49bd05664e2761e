import type { MessagePartialSigner, SignatureDictionary } from "@solana/kit";

/** A message signer that remembers what it signed, and how many times it asked the signer underneath. */
export type CachedMessageSigner<T extends MessagePartialSigner = MessagePartialSigner> = T & {
  /** Calls made to the underlying signer (wallet prompts), since creation. */
  readonly prompts: () => number;
  /** Forgets every remembered signature (e.g. when the wallet disconnects). */
  readonly clear: () => void;
};

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/**
 * Wraps a signer so each distinct message is signed at most once: later requests for the same bytes are
 * answered from memory, and the messages still missing in one `signMessages` call go to the signer in one
 * call (one wallet prompt). Safe because Ed25519 signatures are deterministic (the request-key signature of
 * a request is the same every time); the signatures are key material, so they stay in this object's memory
 * only (an app keeps it for one session, never in storage). Transaction signing passes through unchanged.
 *
 * @example
 * const signer = cacheMessageSignatures(createWalletSigner(wallet));
 * await fetchHistory(chain, signer); // one prompt for every request
 * await fetchHistory(chain, signer); // none
 */
export function cacheMessageSignatures<T extends MessagePartialSigner>(signer: T): CachedMessageSigner<T> {
  const cache = new Map<string, SignatureDictionary>();
  let prompts = 0;
  const signMessages: MessagePartialSigner["signMessages"] = async (messages, config) => {
    const keys = messages.map((m) => hex(new Uint8Array(m.content)));
    const missing = messages.filter((_, i) => !cache.has(keys[i]!));
    const unique = [...new Map(missing.map((m) => [hex(new Uint8Array(m.content)), m])).entries()];
    if (unique.length > 0) {
      prompts++;
      const signed = await signer.signMessages(
        unique.map(([, m]) => m),
        config,
      );
      unique.forEach(([key], i) => cache.set(key, signed[i]!));
    }
    return keys.map((key) => cache.get(key)!);
  };
  return Object.freeze({
    ...signer,
    signMessages,
    prompts: () => prompts,
    clear: () => cache.clear(),
  }) as CachedMessageSigner<T>;
}
