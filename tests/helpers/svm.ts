/**
 * LiteSVM test harness: the real `target/deploy/chainference.so` at the program address, funded
 * signers, and a `send` that lands @solana/kit v0 transactions and reports exactly what happened
 * (signature, compute units, logs, fee, every touched account's lamports before and after).
 *
 * Setup errors are never swallowed: a missing .so, a failed funding or an unexpected transaction
 * failure throws with the reason. Every transaction, landed or failed, is checked for exact lamport
 * conservation over all of its accounts (Σ before − Σ after == fee) before `send` returns or throws.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  appendTransactionMessageInstructions,
  createTransactionMessage,
  generateKeyPairSigner,
  getBase58Decoder,
  getCompiledTransactionMessageDecoder,
  lamports,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type Address,
  type Instruction,
  type KeyPairSigner,
  type TransactionSigner,
} from "@solana/kit";
import { FailedTransactionMetadata, LiteSVM, Rent, type TransactionMetadata } from "litesvm";
import { CHAINFERENCE_PROGRAM_ADDRESS } from "../../clients/js/src/generated";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The program under test; `CHAINFERENCE_PROGRAM_SO` points the harness at another build. */
export const PROGRAM_SO = process.env["CHAINFERENCE_PROGRAM_SO"] ?? join(REPO_ROOT, "target", "deploy", "chainference.so");
export const PROGRAM_ADDRESS = CHAINFERENCE_PROGRAM_ADDRESS;
export const SYSTEM_PROGRAM_ADDRESS = "11111111111111111111111111111111" as Address;

/**
 * LiteSVM's fee: 5,000 lamports per transaction signature, no priority fee (we never set a compute
 * unit price). It is charged to the fee payer for failed transactions too, and burned (no account in
 * the transaction receives it). Checked empirically: a 1-signature transaction moves the fee payer by
 * exactly 5,000 and a 2-signature one by 10,000, success or failure; the lamport-sum assertion on
 * every test transaction re-checks it.
 */
export const LAMPORTS_PER_SIGNATURE = 5_000n;
/** Signature-verification precompiles: each signature they verify is charged like a transaction signature. */
const PRECOMPILES: ReadonlySet<string> = new Set([
  "Ed25519SigVerify111111111111111111111111111",
  "KeccakSecp256k11111111111111111111111111111",
  "Secp256r1SigVerify1111111111111111111111111",
]);

/** Signatures the precompile instructions of `list` verify (their first data byte). */
const precompileSignatures = (list: readonly Instruction[]): number =>
  list.filter((ix) => PRECOMPILES.has(ix.programAddress)).reduce((n, ix) => n + (ix.data?.[0] ?? 0), 0);
export const LAMPORTS_PER_SOL = 1_000_000_000n;

/** A test chain: LiteSVM with the program loaded and a default funded fee payer. */
export type TestSvm = {
  readonly svm: LiteSVM;
  /** Default fee payer (100 SOL). */
  readonly payer: KeyPairSigner;
};

/** Balances of every account a transaction referenced, keyed by address. */
export type Balances = ReadonlyMap<Address, bigint>;

/** What a landed (or failed) transaction did. */
export type TxReport = {
  readonly signature: string;
  readonly computeUnits: bigint;
  readonly logs: readonly string[];
  /** Lamports the fee payer paid: `LAMPORTS_PER_SIGNATURE × (signatures + precompile signatures)`. */
  readonly fee: bigint;
  readonly feePayer: Address;
  /** Lamports of every static account key before and after (0 for a missing/closed account). */
  readonly before: Balances;
  readonly after: Balances;
};

/** The program (or the runtime) rejected a transaction. */
export class TransactionFailedError extends Error {
  /** `ProgramError::Custom(code)` of the failing instruction, or `undefined` for another error. */
  readonly customCode: number | undefined;
  /** Index of the failing instruction, `undefined` for transaction-level errors. */
  readonly instructionIndex: number | undefined;
  /** LiteSVM's rendering of the error, e.g. `InstructionErrorCustom { code: 6 }`. */
  readonly reason: string;
  readonly report: TxReport;

  constructor(reason: string, customCode: number | undefined, instructionIndex: number | undefined, report: TxReport) {
    const code = customCode === undefined ? "" : ` (custom program error ${customCode})`;
    super(`transaction failed${code}: ${reason}\n  ${report.logs.join("\n  ")}`);
    this.name = "TransactionFailedError";
    this.reason = reason;
    this.customCode = customCode;
    this.instructionIndex = instructionIndex;
    this.report = report;
  }
}

/**
 * A LiteSVM with the real program at {@link PROGRAM_ADDRESS}. Throws if the .so is missing: build it
 * with `bash scripts/build-program` (never skip the program tests silently).
 */
/**
 * The two forms of the Rent sysvar a cluster may carry; both give the same rent-exempt minimums.
 * `simd-0194` is LiteSVM's default (6,960 lamports per byte, threshold 1.0); `legacy` is what a
 * validator's genesis writes (3,480 lamports per byte-year, threshold 2.0).
 */
export const RENT_FORMS = {
  "simd-0194": { lamportsPerByteYear: 6_960n, exemptionThreshold: 1.0 },
  legacy: { lamportsPerByteYear: 3_480n, exemptionThreshold: 2.0 },
} as const;
export type RentForm = keyof typeof RENT_FORMS;

/**
 * The rent form tests run under: `CHAINFERENCE_RENT_FORM` (`simd-0194` or `legacy`), default
 * `simd-0194`. vitest.config.ts runs the lifecycle suites a second time under `legacy`.
 */
export function rentFormFromEnv(): RentForm {
  const form = process.env["CHAINFERENCE_RENT_FORM"] ?? "simd-0194";
  if (!(form in RENT_FORMS)) throw new Error(`CHAINFERENCE_RENT_FORM=${form}: expected one of ${Object.keys(RENT_FORMS).join(", ")}`);
  return form as RentForm;
}

/** Sets the Rent sysvar to `form`, or to any other threshold (to test that the program refuses it). */
export function setRentSysvar(svm: LiteSVM, form: RentForm | { lamportsPerByteYear: bigint; exemptionThreshold: number }): void {
  const { lamportsPerByteYear, exemptionThreshold } = typeof form === "string" ? RENT_FORMS[form] : form;
  svm.setRent(new Rent(lamportsPerByteYear, exemptionThreshold, 50));
  const set = svm.getRent();
  if (set.lamportsPerByteYear !== lamportsPerByteYear || set.exemptionThreshold !== exemptionThreshold)
    throw new Error(`setRent left ${set.lamportsPerByteYear}/${set.exemptionThreshold}`);
}

export async function createTestSvm(options: { rent?: RentForm } = {}): Promise<TestSvm> {
  if (!existsSync(PROGRAM_SO) || statSync(PROGRAM_SO).size === 0) {
    throw new Error(
      `${PROGRAM_SO} is missing or empty: build the program first with \`bash scripts/build-program\` ` +
        "(the program tests always run against the real .so).",
    );
  }
  const svm = new LiteSVM();
  setRentSysvar(svm, options.rent ?? rentFormFromEnv());
  svm.addProgramFromFile(PROGRAM_ADDRESS, PROGRAM_SO);
  const loaded = svm.getAccount(PROGRAM_ADDRESS);
  if (!loaded.exists || !loaded.executable) throw new Error(`LiteSVM did not load ${PROGRAM_SO} at ${PROGRAM_ADDRESS}`);
  const payer = await fundedSigner(svm, 100n * LAMPORTS_PER_SOL);
  return { svm, payer };
}

/** Sets a system-owned account holding exactly `amount` lamports. */
export function setSystemAccount(svm: LiteSVM, address: Address, amount: bigint): void {
  svm.setAccount({
    address,
    lamports: lamports(amount),
    programAddress: SYSTEM_PROGRAM_ADDRESS,
    data: new Uint8Array(),
    executable: false,
    space: 0n,
  });
}

/** A fresh keypair signer whose system account holds `amount` lamports (default 10 SOL). */
export async function fundedSigner(svm: LiteSVM, amount: bigint = 10n * LAMPORTS_PER_SOL): Promise<KeyPairSigner> {
  const signer = await generateKeyPairSigner();
  setSystemAccount(svm, signer.address, amount);
  if (svm.getBalance(signer.address) !== amount) throw new Error(`funding ${signer.address} failed`);
  return signer;
}

/** A fresh address with no account. */
export async function freshAddress(): Promise<Address> {
  return (await generateKeyPairSigner()).address;
}

export function balanceOf(svm: LiteSVM, address: Address): bigint {
  return svm.getBalance(address) ?? 0n;
}

export function dataOf(svm: LiteSVM, address: Address): Uint8Array | null {
  const account = svm.getAccount(address);
  return account.exists ? new Uint8Array(account.data) : null;
}

export type SendOptions = {
  /** Fee payer; defaults to the harness payer. */
  readonly feePayer?: TransactionSigner;
};

/**
 * Signs `instructions` into one v0 transaction (signers come from the instructions' account metas
 * plus the fee payer), lands it, then expires the blockhash so an identical next transaction is not a
 * duplicate. Resolves with the {@link TxReport}; rejects with {@link TransactionFailedError}.
 */
export async function send(t: TestSvm, instructions: readonly Instruction[] | Instruction, options: SendOptions = {}): Promise<TxReport> {
  const { svm } = t;
  const feePayer = options.feePayer ?? t.payer;
  const list = Array.isArray(instructions) ? instructions : [instructions as Instruction];
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(feePayer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash({ blockhash: svm.latestBlockhash(), lastValidBlockHeight: 0n }, m),
    (m) => appendTransactionMessageInstructions(list, m),
  );
  const transaction = await signTransactionMessageWithSigners(message);
  const keys = getCompiledTransactionMessageDecoder().decode(transaction.messageBytes).staticAccounts;
  const snapshot = (): Balances => new Map(keys.map((k) => [k, balanceOf(svm, k)]));
  const before = snapshot();
  const result = svm.sendTransaction(transaction);
  svm.expireBlockhash();
  const after = snapshot();
  const signatures = Object.keys(transaction.signatures).length + precompileSignatures(list);
  const firstSignature = Object.values(transaction.signatures)[0];
  const meta: TransactionMetadata = result instanceof FailedTransactionMetadata ? result.meta() : result;
  // Instruction errors are charged the fee like successes; a transaction rejected before execution
  // (e.g. a missing signature) may not be charged at all: then the fee payer's balance did not move.
  const rejectedBeforeExecution =
    result instanceof FailedTransactionMetadata &&
    !String(result.err()).startsWith("TransactionErrorInstructionError") &&
    after.get(feePayer.address) === before.get(feePayer.address);
  const report: TxReport = {
    signature: firstSignature ? getBase58Decoder().decode(firstSignature) : "",
    computeUnits: meta.computeUnitsConsumed(),
    logs: meta.logs(),
    fee: rejectedBeforeExecution ? 0n : LAMPORTS_PER_SIGNATURE * BigInt(signatures),
    feePayer: feePayer.address,
    before,
    after,
  };
  // Lamport conservation, checked on every transaction (landed or failed): only the fee leaves.
  const sum = (b: Balances) => [...b.values()].reduce((x, y) => x + y, 0n);
  if (sum(before) - sum(after) !== report.fee) {
    throw new Error(
      `lamports not conserved: Σ before − Σ after = ${sum(before) - sum(after)}, fee = ${report.fee}\n  ` +
        keys.map((k) => `${k}: ${before.get(k)} → ${after.get(k)}`).join("\n  "),
    );
  }
  if (result instanceof FailedTransactionMetadata) {
    const reason = String(result.err());
    const custom = /InstructionErrorCustom \{ code: (\d+) \}/.exec(reason);
    const index = /index: (\d+)/.exec(reason);
    throw new TransactionFailedError(reason, custom ? Number(custom[1]) : undefined, index ? Number(index[1]) : undefined, report);
  }
  return report;
}

/** The current slot. */
export function currentSlot(svm: LiteSVM): bigint {
  return svm.getClock().slot;
}

/** Moves the clock `slots` forward (Clock sysvar included). */
export function warpSlots(svm: LiteSVM, slots: bigint): bigint {
  const target = currentSlot(svm) + slots;
  svm.warpToSlot(target);
  if (currentSlot(svm) !== target) throw new Error(`warpToSlot(${target}) left the clock at ${currentSlot(svm)}`);
  return target;
}

/** Rent-exempt minimum for `space` bytes. */
export function rentExempt(svm: LiteSVM, space: number | bigint): bigint {
  return svm.minimumBalanceForRentExemption(BigInt(space));
}
