/**
 * The key root: every client key (per-request keys, session keys, the local session-history key) derives from it
 * by HKDF. It comes from ONE wallet signature over a fixed Solana off-chain message (signing domain
 * `"\xffsolana offchain"`, so the bytes can never be a transaction and wallets show them as text) that names the
 * application and the program id. Ed25519 signatures are deterministic (RFC 8032), so the wallet alone
 * re-creates the root at any time, on any device.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { createSignableMessage, type Address, type MessagePartialSigner } from "@solana/kit";

import {
  CHAINFERENCE_ERROR__CRYPTO__INVALID_SIGNATURE,
  CHAINFERENCE_ERROR__CRYPTO__MISSING_SIGNATURE,
  CHAINFERENCE_ERROR__CRYPTO__NON_DETERMINISTIC_SIGNER,
  ChainferenceClientError,
} from "../errors";
import { addressBytes, bytesEqual, bytesOfLength, concatBytes, utf8, type BytesLike } from "./bytes";
import { CRYPTO_KEY_LENGTH, HKDF_INFO_KEY_ROOT, KEY_ROOT_SIGNATURE_LENGTH } from "./constants";
import { hkdfSha256 } from "./kdf";

/** A wallet's key root for one program: 32 secret bytes, held in memory only. */
export type KeyRoot = Readonly<{
  /** The wallet that signed the key-root message. */
  wallet: Address;
  /** The program the root is bound to. */
  programId: Address;
  /** `HKDF(ikm = signature, salt = programId, info = "chainference/v2/key-root", 32)`. */
  secret: Uint8Array;
}>;

/** Where a key root belongs: the wallet that signs and the program it serves. */
export type KeyRootLocation = Readonly<{ wallet: Address; programId: Address }>;

/**
 * The message text (restricted ASCII, one line, so hardware wallets can clear-sign it).
 *
 * @example
 * ```ts
 * getKeyRootMessageText(programId); // "Chainference key root v2. Program: <programId>. ..."
 * ```
 */
export function getKeyRootMessageText(programId: Address): string {
  return (
    `Chainference key root v2. Program: ${programId}. ` +
    "Signing lets this app derive the keys that encrypt your prompts and answers. " +
    "It is not a transaction and moves no funds. Sign it only in a Chainference app."
  );
}

/** The off-chain message signing domain: `0xff` (never a transaction's first byte) then "solana offchain". */
const OFFCHAIN_SIGNING_DOMAIN = concatBytes(Uint8Array.of(0xff), utf8("solana offchain"));
/** Off-chain message version 0, content format 0 (restricted ASCII, at most 1,232 bytes), one signer. */
const OFFCHAIN_V0_HEADER = { version: 0, restrictedAsciiFormat: 0, signerCount: 1 } as const;

/**
 * The exact bytes the wallet signs: a Solana off-chain message, version 0 (the format of the off-chain message
 * signing proposal, as kit's `@solana/offchain-messages` encodes it; a test checks the two agree byte for byte):
 * `"\xffsolana offchain" || u8(0) || programId(32) || u8(0 = restricted ASCII) || u8(1) || wallet(32) ||
 * u16le(len(text)) || text`. Encoded here rather than with kit's encoder, which would add 3 KB gzipped to the
 * SDK's browser bundle.
 *
 * @example
 * ```ts
 * const message = getKeyRootMessage({ wallet, programId });
 * message.subarray(0, 16); // "\xffsolana offchain"
 * ```
 */
export function getKeyRootMessage({ wallet, programId }: KeyRootLocation): Uint8Array {
  const text = utf8(getKeyRootMessageText(programId));
  const length = Uint8Array.of(text.length & 0xff, text.length >> 8);
  return concatBytes(
    OFFCHAIN_SIGNING_DOMAIN,
    Uint8Array.of(OFFCHAIN_V0_HEADER.version),
    addressBytes(programId),
    Uint8Array.of(OFFCHAIN_V0_HEADER.restrictedAsciiFormat, OFFCHAIN_V0_HEADER.signerCount),
    addressBytes(wallet),
    length,
    text,
  );
}

/**
 * Throws `CHAINFERENCE_ERROR__CRYPTO__INVALID_SIGNATURE` unless `signature` verifies under `wallet` over `message`
 * by strict RFC 8032 (§5.1.7): canonical encodings of the key and of `R`, `S < L`, a key not of small order, and
 * the cofactored equation. Not ZIP-215: the signature is key material, so only one encoding of it is accepted.
 */
function assertIsKeyRootSignature(signature: BytesLike, message: Uint8Array, wallet: Address): Uint8Array {
  const bytes = bytesOfLength(signature, KEY_ROOT_SIGNATURE_LENGTH, "key-root signature");
  let valid = false;
  try {
    valid = ed25519.verify(bytes, message, addressBytes(wallet), { zip215: false });
  } catch {
    valid = false;
  }
  if (!valid) throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__INVALID_SIGNATURE, { address: wallet });
  return bytes;
}

/**
 * The key root from the wallet's signature over {@link getKeyRootMessage} (pure; the signature is verified first).
 *
 * @example
 * ```ts
 * const signature = ed25519.sign(getKeyRootMessage({ wallet, programId }), walletSecret);
 * const root = keyRootFromSignature({ wallet, programId, signature });
 * ```
 */
export function keyRootFromSignature({ wallet, programId, signature }: KeyRootLocation & { signature: BytesLike }): KeyRoot {
  const ikm = assertIsKeyRootSignature(signature, getKeyRootMessage({ wallet, programId }), wallet);
  return Object.freeze({ wallet, programId, secret: hkdfSha256(ikm, addressBytes(programId), HKDF_INFO_KEY_ROOT, CRYPTO_KEY_LENGTH) });
}

async function signKeyRootMessage(signer: MessagePartialSigner, programId: Address): Promise<KeyRoot> {
  const message = createSignableMessage(getKeyRootMessage({ wallet: signer.address, programId }));
  // The determinism check: the same message twice in one call (one wallet prompt); a wallet whose Ed25519
  // nonces are random would yield a root it could never re-create.
  const dictionaries = await signer.signMessages([message, message]);
  const [first, second] = dictionaries.map((dictionary) => dictionary?.[signer.address]);
  if (first === undefined || second === undefined) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__MISSING_SIGNATURE, { address: signer.address });
  }
  const root = keyRootFromSignature({ wallet: signer.address, programId, signature: first });
  if (!bytesEqual(first, second)) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__NON_DETERMINISTIC_SIGNER, { address: signer.address });
  }
  return root;
}

const rootsBySigner = new WeakMap<MessagePartialSigner, Map<Address, Promise<KeyRoot>>>();

/**
 * The signer's key root for `programId`. The first call has the wallet sign the key-root message (twice, in one
 * `signMessages` call: one wallet prompt) and refuses a wallet whose two signatures differ
 * (`CHAINFERENCE_ERROR__CRYPTO__NON_DETERMINISTIC_SIGNER`); the root then stays in memory, tied to this signer
 * object, so later calls with the same object prompt no more (an app keeps one signer per wallet connection).
 *
 * @example
 * ```ts
 * const root = await deriveKeyRoot(wallet, CHAINFERENCE_PROGRAM_ADDRESS);
 * const keys = deriveRequestKeys(root, requestAddress);
 * ```
 */
export function deriveKeyRoot(signer: MessagePartialSigner, programId: Address): Promise<KeyRoot> {
  const roots = rootsBySigner.get(signer) ?? new Map<Address, Promise<KeyRoot>>();
  rootsBySigner.set(signer, roots);
  const cached = roots.get(programId);
  if (cached) return cached;
  const root = signKeyRootMessage(signer, programId);
  roots.set(programId, root);
  // A refused or failed signature is not remembered: the user may approve on the next try.
  root.catch(() => roots.delete(programId));
  return root;
}
