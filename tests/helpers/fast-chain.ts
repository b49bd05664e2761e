/**
 * A lean LiteSVM driver for long randomized runs (tests/program/sequence.test.ts): deterministic
 * Ed25519 keys from a seed (node:crypto, synchronous signing: no WebCrypto promise per signature),
 * legacy messages compiled by hand from raw account metas, and results reduced to what the model
 * needs (custom error code, fee, compute units). Signatures are real and verified by LiteSVM.
 *
 * Measured on 2 cores: compiling + signing + sending a one-instruction transaction costs about
 * a quarter of a millisecond here, against several milliseconds through @solana/kit's async
 * signing pipeline in `send`.
 */
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from "node:crypto";
import {
  getAddressDecoder,
  getAddressEncoder,
  getBase58Encoder,
  type Address,
  type Blockhash,
  type Transaction,
  type TransactionMessageBytes,
  type SignatureBytes,
} from "@solana/kit";
import { FailedTransactionMetadata, type LiteSVM } from "litesvm";
import { LAMPORTS_PER_SIGNATURE } from "./svm";

/** Solana's transaction size limit (bytes on the wire). */
export const PACKET_DATA_SIZE = 1_232;

export type FastKey = { readonly address: Address; readonly privateKey: KeyObject };

/** PKCS#8 prefix of an Ed25519 private key (RFC 8410) followed by the 32-byte seed. */
const PKCS8_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

/** A deterministic keypair: the seed is sha256(label). */
export function fastKey(label: string): FastKey {
  const seed = createHash("sha256").update(label).digest();
  const der = Buffer.concat([PKCS8_ED25519_PREFIX, seed]);
  const privateKey = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  const publicKey = new Uint8Array(spki.subarray(spki.length - 32));
  return { address: getAddressDecoder().decode(publicKey), privateKey };
}

export type FastMeta = { readonly address: Address; readonly signer: boolean; readonly writable: boolean };
export type FastInstruction = {
  readonly programAddress: Address;
  readonly accounts: readonly FastMeta[];
  readonly data: Uint8Array;
};

export type FastResult = {
  readonly ok: boolean;
  /** Custom program error code of a failure, `undefined` for success or a non-custom error. */
  readonly code: number | undefined;
  /** LiteSVM's error rendering for failures. */
  readonly reason: string;
  readonly fee: bigint;
  readonly computeUnits: bigint;
  readonly logs: () => string[];
};

const addressBytesCache = new Map<Address, Uint8Array>();
function addressBytes(address: Address): Uint8Array {
  let bytes = addressBytesCache.get(address);
  if (!bytes) {
    bytes = new Uint8Array(getAddressEncoder().encode(address));
    addressBytesCache.set(address, bytes);
  }
  return bytes;
}

function compactU16(n: number): number[] {
  const out: number[] = [];
  let v = n;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if (v === 0) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** Sends transactions to `svm` with keys from `keys` (every signer must be registered there). */
export class FastChain {
  private readonly keys = new Map<Address, FastKey>();
  private blockhash: Uint8Array;
  private blockhashString: Blockhash;
  transactions = 0;

  constructor(readonly svm: LiteSVM) {
    this.blockhashString = svm.latestBlockhash();
    this.blockhash = new Uint8Array(getBase58Encoder().encode(this.blockhashString));
  }

  register(key: FastKey): FastKey {
    this.keys.set(key.address, key);
    return key;
  }

  /** Picks up a new blockhash (needed when an identical transaction must land twice). */
  refreshBlockhash(): void {
    this.svm.expireBlockhash();
    this.blockhashString = this.svm.latestBlockhash();
    this.blockhash = new Uint8Array(getBase58Encoder().encode(this.blockhashString));
  }

  /**
   * Lands a signed legacy transaction. LiteSVM's public `sendTransaction` re-encodes the whole
   * transaction through @solana/kit codecs built per call; its native binding takes the wire bytes
   * directly, so use that when present (litesvm 1.5.0) and the public API otherwise.
   */
  private sendSigned(signers: Address[], signatures: Uint8Array[], message: Uint8Array): ReturnType<LiteSVM["sendTransaction"]> {
    const inner = (this.svm as unknown as { inner?: { sendLegacyTransaction?: (b: Uint8Array) => unknown } }).inner;
    if (inner && typeof inner.sendLegacyTransaction === "function") {
      const prefix = compactU16(signatures.length);
      const wire = new Uint8Array(prefix.length + 64 * signatures.length + message.length);
      wire.set(prefix, 0);
      signatures.forEach((sig, i) => wire.set(sig, prefix.length + 64 * i));
      wire.set(message, prefix.length + 64 * signatures.length);
      return inner.sendLegacyTransaction(wire) as ReturnType<LiteSVM["sendTransaction"]>;
    }
    const map: Record<string, SignatureBytes> = {};
    signers.forEach((k, i) => (map[k] = signatures[i] as SignatureBytes));
    const tx = {
      messageBytes: message as unknown as TransactionMessageBytes,
      signatures: map,
    } as unknown as Transaction;
    return this.svm.sendTransaction(tx);
  }

  /** Compiles a legacy message (fee payer first), signs it with every signer, and sends it. */
  send(feePayer: Address, instructions: readonly FastInstruction[]): FastResult {
    // Merge the metas: fee payer first, then writable signers, readonly signers, writable, readonly.
    const flags = new Map<Address, { signer: boolean; writable: boolean }>();
    flags.set(feePayer, { signer: true, writable: true });
    for (const ix of instructions) {
      for (const m of ix.accounts) {
        const f = flags.get(m.address);
        if (f) {
          f.signer ||= m.signer;
          f.writable ||= m.writable;
        } else flags.set(m.address, { signer: m.signer, writable: m.writable });
      }
      if (!flags.has(ix.programAddress)) flags.set(ix.programAddress, { signer: false, writable: false });
    }
    const rank = (a: Address) => {
      if (a === feePayer) return 0;
      const f = flags.get(a)!;
      return f.signer ? (f.writable ? 1 : 2) : f.writable ? 3 : 4;
    };
    const keys = [...flags.keys()].sort((a, b) => rank(a) - rank(b));
    const index = new Map(keys.map((k, i) => [k, i]));
    const signers = keys.filter((k) => flags.get(k)!.signer);
    const readonlySigned = signers.filter((k) => !flags.get(k)!.writable).length;
    const readonlyUnsigned = keys.filter((k) => !flags.get(k)!.signer && !flags.get(k)!.writable).length;

    const parts: number[] = [signers.length, readonlySigned, readonlyUnsigned, ...compactU16(keys.length)];
    const chunks: Uint8Array[] = [Uint8Array.from(parts)];
    for (const k of keys) chunks.push(addressBytes(k));
    chunks.push(this.blockhash);
    const tail: number[] = [...compactU16(instructions.length)];
    chunks.push(Uint8Array.from(tail));
    for (const ix of instructions) {
      chunks.push(
        Uint8Array.from([
          index.get(ix.programAddress)!,
          ...compactU16(ix.accounts.length),
          ...ix.accounts.map((m) => index.get(m.address)!),
          ...compactU16(ix.data.length),
        ]),
      );
      chunks.push(ix.data);
    }
    const length = chunks.reduce((n, c) => n + c.length, 0);
    const message = new Uint8Array(length);
    let offset = 0;
    for (const c of chunks) {
      message.set(c, offset);
      offset += c.length;
    }

    const wireLength = compactU16(signers.length).length + 64 * signers.length + message.length;
    if (wireLength > PACKET_DATA_SIZE) {
      throw new Error(`transaction of ${wireLength} bytes exceeds the ${PACKET_DATA_SIZE}-byte packet limit`);
    }
    const signatures = signers.map((k) => {
      const key = this.keys.get(k);
      if (!key) throw new Error(`no key registered for signer ${k}`);
      return new Uint8Array(sign(null, message, key.privateKey));
    });
    const result = this.sendSigned(signers, signatures, message);
    this.transactions++;
    const fee = LAMPORTS_PER_SIGNATURE * BigInt(signers.length);
    if (result instanceof FailedTransactionMetadata) {
      const reason = String(result.err());
      const custom = /InstructionErrorCustom \{ code: (\d+) \}/.exec(reason);
      const meta = result.meta();
      return {
        ok: false,
        code: custom ? Number(custom[1]) : undefined,
        reason,
        fee: reason.startsWith("TransactionErrorInstructionError") ? fee : 0n,
        computeUnits: meta.computeUnitsConsumed(),
        logs: () => meta.logs(),
      };
    }
    return {
      ok: true,
      code: undefined,
      reason: "",
      fee,
      computeUnits: result.computeUnitsConsumed(),
      logs: () => result.logs(),
    };
  }
}

/** Converts a @solana/kit instruction (e.g. from a generated builder) to a FastInstruction. */
export function fromKitInstruction(ix: {
  programAddress: Address;
  accounts?: readonly { address: Address; role: number }[];
  data?: ArrayLike<number>;
}): FastInstruction {
  return {
    programAddress: ix.programAddress,
    accounts: (ix.accounts ?? []).map((m) => ({
      address: m.address,
      signer: m.role >= 2,
      writable: (m.role & 1) === 1,
    })),
    data: new Uint8Array(ix.data ?? []),
  };
}

/**
 * `find_program_address`, synchronously: sha256 from node:crypto (no WebCrypto promise per
 * attempt) and @solana/kit's curve check. Same result as the generated `find*Pda` helpers.
 */
export function findPdaSync(seeds: readonly Uint8Array[], programAddress: Address): [Address, number] {
  const program = addressBytes(programAddress);
  for (let bump = 255; bump >= 0; bump--) {
    const hash = createHash("sha256");
    for (const s of seeds) hash.update(s);
    hash.update(Uint8Array.of(bump));
    hash.update(program);
    hash.update("ProgramDerivedAddress");
    const digest = hash.digest();
    if (!isOnCurve(digest)) return [ADDRESS_DECODER.decode(digest), bump];
  }
  throw new Error("no program address for these seeds");
}

const ADDRESS_DECODER = getAddressDecoder();
const P = 2n ** 255n - 19n;
const D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;

const pow2 = (x: bigint, power: bigint): bigint => {
  let r = x;
  for (let i = 0n; i < power; i++) r = (r * r) % P;
  return r;
};

/** x^(2^252 − 3) mod p by the usual ed25519 addition chain (as @solana/kit does). */
function pow2252m3(x: bigint): bigint {
  const x2 = (x * x) % P;
  const b2 = (x2 * x) % P;
  const b4 = (pow2(b2, 2n) * b2) % P;
  const b5 = (pow2(b4, 1n) * x) % P;
  const b10 = (pow2(b5, 5n) * b5) % P;
  const b20 = (pow2(b10, 10n) * b10) % P;
  const b40 = (pow2(b20, 20n) * b20) % P;
  const b80 = (pow2(b40, 40n) * b40) % P;
  const b160 = (pow2(b80, 80n) * b80) % P;
  const b240 = (pow2(b160, 80n) * b80) % P;
  const b250 = (pow2(b240, 10n) * b10) % P;
  return (pow2(b250, 2n) * x) % P;
}

/**
 * Whether 32 bytes decompress to an Ed25519 point (what `create_program_address` rejects): with
 * y from the bytes, x² = (y² − 1) / (d·y² + 1) must be a square mod p (Euler's criterion on
 * u·v, which has the same quadratic character as u/v), and x = 0 cannot carry the sign bit.
 */
function isOnCurve(bytes: Uint8Array): boolean {
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(i === 31 ? bytes[i]! & 0x7f : bytes[i]!);
  const y2 = (y * y) % P;
  const u = (y2 - 1n + P) % P;
  const v = (D * y2 + 1n) % P;
  if (u === 0n) return (bytes[31]! & 0x80) === 0;
  // x^((p−1)/2) = (x^(2^252−3))^4 · x², since 4·(2^252 − 3) + 2 = (p − 1)/2.
  const x = (u * v) % P;
  return (pow2(pow2252m3(x), 2n) * ((x * x) % P)) % P === 1n;
}

/** The 32 bytes of an address (cached). */
export const fastAddressBytes = addressBytes;

/**
 * Balance lookups without @solana/kit's per-call address codec (which costs ~50 µs per call and
 * would dominate a 100,000-operation run): LiteSVM's native binding with cached address bytes.
 * Falls back to the public `getBalance` if the binding shape changes.
 */
export function balanceReader(svm: LiteSVM): (address: Address) => bigint {
  const inner = (svm as unknown as { inner?: { getBalance?: (a: Uint8Array) => bigint | null } }).inner;
  if (inner && typeof inner.getBalance === "function") {
    const get = inner.getBalance.bind(inner);
    return (address) => get(addressBytes(address)) ?? 0n;
  }
  return (address) => svm.getBalance(address) ?? 0n;
}

/** Account data without the per-call address codec (see {@link balanceReader}); null when absent. */
export function dataReader(svm: LiteSVM): (address: Address) => Uint8Array | null {
  const inner = (svm as unknown as { inner?: { getAccount?: (a: Uint8Array) => { data: () => Uint8Array } | null } }).inner;
  if (inner && typeof inner.getAccount === "function") {
    const get = inner.getAccount.bind(inner);
    return (address) => {
      const account = get(addressBytes(address));
      return account ? account.data() : null;
    };
  }
  return (address) => {
    const account = svm.getAccount(address);
    return account.exists ? new Uint8Array(account.data) : null;
  };
}
