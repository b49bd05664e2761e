/**
 * Fixtures for the session instructions (open_session … reclaim_session): a session key (Ed25519, from
 * @noble/curves), open/top-up/settle/close builders with every field overridable, real voucher signatures,
 * the precompile instruction built by the SDK (`getVoucherVerifyInstruction`), and account readers.
 *
 * Like fixtures.ts this never imports vitest, so scripts (the CU benchmark) use it too.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { getAddressDecoder, type Address, type Instruction, type KeyPairSigner, type ProgramDerivedAddress } from "@solana/kit";
import {
  findSessionPda,
  getCloseSessionInstruction,
  getOpenSessionInstruction,
  getReclaimSessionInstruction,
  getRequestCloseSessionInstruction,
  getSessionDecoder,
  getSettleSessionInstruction,
  getTopUpSessionInstruction,
  type OpenSessionInput,
  type Session,
} from "../../clients/js/src/generated";
import { encodeVoucher, getVoucherVerifyInstruction, type Voucher } from "../../clients/js/src/sessions";
import { configAddress, type RegisteredServer } from "./fixtures";
import { MODEL_ID, plainSender, type Market, type Sender } from "./lifecycle";
import { currentSlot, dataOf, fundedSigner, type TestSvm, type TxReport } from "./svm";

/** Protocol constants (docs/protocol.md § Constants, docs/sessions.md). */
export const SESSION_SIZE = 353;
export const OPEN_SLOT_WINDOW = 150n;
export const MIN_GRACE_SLOTS = 150n;
export const MAX_SESSION_SLOTS = 6_480_000n;
export const VOUCHER_LENGTH = 54;
export const ED25519_PROGRAM = "Ed25519SigVerify111111111111111111111111111" as Address;
export const INSTRUCTIONS_SYSVAR = "Sysvar1nstructions1111111111111111111111111" as Address;

/** A session key: the Ed25519 key that signs vouchers. */
export type SessionKey = { secret: Uint8Array; address: Address };

export function sessionKey(): SessionKey {
  const secret = ed25519.utils.randomSecretKey();
  return { secret, address: getAddressDecoder().decode(ed25519.getPublicKey(secret)) };
}

/** Ed25519 signature of `message` (the voucher bytes) by `key`. */
export const sign = (key: SessionKey, message: Uint8Array): Uint8Array => ed25519.sign(message, key.secret);

export type SessionParams = Omit<OpenSessionInput, "client" | "session" | "server" | "config" | "systemProgram" | "openSlot" | "bump">;

export const DEFAULT_DEPOSIT = 50_000_000n;
export const DEFAULT_GRACE = 300n;

/** Session parameters unless overridden (expiry relative to the open slot: `expiryIn`). */
export const defaultSessionParams = (voucherSigner: Address, now: bigint): SessionParams => ({
  model: MODEL_ID,
  revision: "",
  deposit: DEFAULT_DEPOSIT,
  expirySlot: now + 10_000n,
  graceSlots: DEFAULT_GRACE,
  maxPriceIn: 1_000_000_000n,
  maxPriceOut: 3_000_000_000n,
  minCompleted: 0n,
  minSuccessBps: 0,
  minAvgRating: 0,
  voucherSigner,
});

export const sessionPda = (client: Address, server: Address, openSlot: bigint) => findSessionPda({ client, server, openSlot });

export type OpenSessionOverrides = {
  openSlot?: bigint;
  /** Session account to pass instead of the canonical PDA (and the bump written into the data). */
  session?: Address;
  bump?: number;
  config?: Address;
  server?: Address;
};

export async function openSessionInstruction(
  client: KeyPairSigner,
  server: Address,
  params: SessionParams,
  overrides: OpenSessionOverrides = {},
): Promise<Instruction> {
  const openSlot = overrides.openSlot ?? 0n;
  const [address, canonicalBump] = await sessionPda(client.address, server, openSlot);
  const bump = overrides.bump ?? canonicalBump;
  const ix = getOpenSessionInstruction({
    client,
    // The sync builder takes the session as a PDA (address, bump) to default the bump from.
    session: [overrides.session ?? address, bump] as unknown as ProgramDerivedAddress,
    server: overrides.server ?? server,
    config: overrides.config ?? (await configAddress()),
    openSlot,
    bump: bump === 0 ? 1 : bump,
    ...params,
  });
  // The generated builder treats bump 0 as "derive it": write the bump into the data ourselves.
  const data = new Uint8Array(ix.data!);
  data[1 + 8] = bump;
  return { ...ix, data };
}

export type OpenedSession = {
  client: KeyPairSigner;
  key: SessionKey;
  server: RegisteredServer;
  address: Address;
  openSlot: bigint;
  params: SessionParams;
  report: TxReport;
};

/** Opens a session with `server` (a fresh funded client and session key unless given) at the current slot. */
export async function openSession(
  t: TestSvm,
  server: RegisteredServer,
  params: Partial<SessionParams> = {},
  options: { client?: KeyPairSigner; key?: SessionKey; openSlot?: bigint; sender?: Sender } = {},
): Promise<OpenedSession> {
  const client = options.client ?? (await fundedSigner(t.svm));
  const key = options.key ?? sessionKey();
  const now = currentSlot(t.svm);
  const openSlot = options.openSlot ?? now;
  const full = { ...defaultSessionParams(key.address, now), ...params };
  const ix = await openSessionInstruction(client, server.server, full, { openSlot });
  const report = await (options.sender ?? plainSender(t)).send(ix, { feePayer: client });
  const [address] = await sessionPda(client.address, server.server, openSlot);
  return { client, key, server, address, openSlot, params: full, report };
}

export const topUpInstruction = (client: KeyPairSigner, session: Address, amount: bigint): Instruction =>
  getTopUpSessionInstruction({ client, session, amount });

export const requestCloseInstruction = (client: KeyPairSigner, session: Address): Instruction =>
  getRequestCloseSessionInstruction({ client, session });

export const closeSessionInstruction = (caller: KeyPairSigner, session: Address, client: Address): Instruction =>
  getCloseSessionInstruction({ caller, session, client });

export const reclaimInstruction = (session: Address, client: Address): Instruction => getReclaimSessionInstruction({ session, client });

/** The voucher for `s` with these cumulative totals. */
export const voucherOf = (s: { address: Address }, lamports: bigint, tokens = 0n, answers = 0): Voucher => ({
  session: s.address,
  lamports,
  tokens,
  answers,
});

/** The precompile instruction over `message` signed by `key` (the session key unless told). */
export function verifyInstruction(key: SessionKey, message: Uint8Array | Voucher): Instruction {
  const bytes = message instanceof Uint8Array ? message : encodeVoucher(message);
  return getVoucherVerifyInstruction({ voucherSigner: key.address, voucher: bytes, signature: sign(key, bytes) });
}

/** settle_session alone (accounts overridable). */
export function settleOnly(
  s: { address: Address; server: RegisteredServer },
  market: Market,
  feeShard: number,
  overrides: { operator?: KeyPairSigner; server?: Address; feeVault?: Address; instructionsSysvar?: Address } = {},
): Instruction {
  return getSettleSessionInstruction({
    operator: overrides.operator ?? s.server.operator,
    server: overrides.server ?? s.server.server,
    session: s.address,
    feeVault: overrides.feeVault ?? market.cfg.feeVaults[feeShard]!,
    instructionsSysvar: overrides.instructionsSysvar ?? INSTRUCTIONS_SYSVAR,
  });
}

/** `[verify, settle]` for a voucher signed by the session key. */
export function settleInstructions(s: OpenedSession, market: Market, voucher: Voucher): Instruction[] {
  return [verifyInstruction(s.key, voucher), settleOnly(s, market, feeShardOfSession(s))];
}

/** Fee vault shard of a session: `open_slot % 16`. */
export const feeShardOfSession = (s: { openSlot: bigint }): number => Number(s.openSlot % 16n);

export function readSession(t: TestSvm, address: Address): Session {
  const data = dataOf(t.svm, address);
  if (!data) throw new Error(`no Session account at ${address}`);
  return getSessionDecoder().decode(data);
}

/** The protocol fee on a settled delta: `⌊delta · fee_bps / 10^4⌋`. */
export const feeOn = (delta: bigint, feeBps = 1_000): bigint => (delta * BigInt(feeBps)) / 10_000n;
