import {
  AccountRole,
  address,
  generateKeyPairSigner,
  getAddressDecoder,
  type Address,
  type Instruction,
  type ReadonlyUint8Array,
  type TransactionSigner,
} from "@solana/kit";
import { getCreateAccountInstruction } from "@solana-program/system";
import { findProgramDataAddress, LOADER_V3_PROGRAM_ADDRESS } from "../admin/program-data";
import { measureTransactionSize, type Chain, type SentTransaction } from "../chain";

/**
 * The upgradeable BPF loader (loader-v3), which `solana program deploy` uses. Its instructions are
 * built here by hand: `@solana-program/loader-v3` 0.3.0 (the only release) requires @solana/kit 6, and
 * the wire format is small and stable (bincode: u32 LE variant tag, then the fields).
 */
export { LOADER_V3_PROGRAM_ADDRESS };
const SYSTEM_PROGRAM = address("11111111111111111111111111111111");
const SYSVAR_RENT = address("SysvarRent111111111111111111111111111111111");
const SYSVAR_CLOCK = address("SysvarC1ock11111111111111111111111111111111");

/** `UpgradeableLoaderState` header sizes: Buffer (tag, Option<authority>), Program (tag, programdata), ProgramData (tag, slot, Option<authority>). */
export const LOADER_V3_BUFFER_METADATA_LEN = 37;
export const LOADER_V3_PROGRAM_ACCOUNT_LEN = 36;
export const LOADER_V3_PROGRAMDATA_METADATA_LEN = 45;

const SIZE_LIMIT = 1232;
const enum Tag {
  InitializeBuffer = 0,
  Write = 1,
  DeployWithMaxDataLen = 2,
  Upgrade = 3,
}

const u32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};
const u64 = (n: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return b;
};
const bytes = (...parts: ReadonlyUint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
};
const meta = (addr: Address, role: AccountRole) => ({ address: addr, role });
const signerMeta = (signer: TransactionSigner, writable: boolean) => ({
  address: signer.address,
  role: writable ? AccountRole.WRITABLE_SIGNER : AccountRole.READONLY_SIGNER,
  signer,
});

/**
 * `InitializeBuffer`: sets the buffer's write authority (the buffer was created owned by the loader).
 *
 * @example
 * const ix = getInitializeBufferInstruction({ buffer: buffer.address, authority: deployer.address });
 */
export function getInitializeBufferInstruction(input: { buffer: Address; authority: Address }): Instruction {
  return {
    programAddress: LOADER_V3_PROGRAM_ADDRESS,
    accounts: [meta(input.buffer, AccountRole.WRITABLE), meta(input.authority, AccountRole.READONLY)],
    data: u32(Tag.InitializeBuffer),
  };
}

/**
 * `Write`: copies `data` into the buffer at `offset` (after the 37-byte header).
 *
 * @example
 * const ix = getWriteInstruction({ buffer: buffer.address, authority: deployer, offset: 0, data: elf.slice(0, 1000) });
 */
export function getWriteInstruction(input: {
  buffer: Address;
  authority: TransactionSigner;
  offset: number;
  data: ReadonlyUint8Array;
}): Instruction {
  return {
    programAddress: LOADER_V3_PROGRAM_ADDRESS,
    accounts: [meta(input.buffer, AccountRole.WRITABLE), signerMeta(input.authority, false)],
    data: bytes(u32(Tag.Write), u32(input.offset), u64(BigInt(input.data.length)), input.data),
  };
}

/**
 * `DeployWithMaxDataLen`: turns a written buffer into a program; the authority becomes the upgrade authority.
 * The program account (36 bytes, owned by the loader) must be created in the same transaction, before it.
 *
 * @example
 * const ix = getDeployWithMaxDataLenInstruction({ payer, programData, program: program.address, buffer: buffer.address, authority: payer, maxDataLen: 2n * BigInt(elf.length) });
 */
export function getDeployWithMaxDataLenInstruction(input: {
  payer: TransactionSigner;
  programData: Address;
  program: Address;
  buffer: Address;
  authority: TransactionSigner;
  maxDataLen: bigint;
}): Instruction {
  return {
    programAddress: LOADER_V3_PROGRAM_ADDRESS,
    accounts: [
      signerMeta(input.payer, true),
      meta(input.programData, AccountRole.WRITABLE),
      meta(input.program, AccountRole.WRITABLE),
      meta(input.buffer, AccountRole.WRITABLE),
      meta(SYSVAR_RENT, AccountRole.READONLY),
      meta(SYSVAR_CLOCK, AccountRole.READONLY),
      meta(SYSTEM_PROGRAM, AccountRole.READONLY),
      signerMeta(input.authority, false),
    ],
    data: bytes(u32(Tag.DeployWithMaxDataLen), u64(input.maxDataLen)),
  };
}

/**
 * `Upgrade`: replaces the program's code with a written buffer; the buffer's lamports go to `spill`.
 *
 * @example
 * const ix = getUpgradeInstruction({ programData, program, buffer: buffer.address, spill: authority.address, authority });
 */
export function getUpgradeInstruction(input: {
  programData: Address;
  program: Address;
  buffer: Address;
  spill: Address;
  authority: TransactionSigner;
}): Instruction {
  return {
    programAddress: LOADER_V3_PROGRAM_ADDRESS,
    accounts: [
      meta(input.programData, AccountRole.WRITABLE),
      meta(input.program, AccountRole.WRITABLE),
      meta(input.buffer, AccountRole.WRITABLE),
      meta(input.spill, AccountRole.WRITABLE),
      meta(SYSVAR_RENT, AccountRole.READONLY),
      meta(SYSVAR_CLOCK, AccountRole.READONLY),
      signerMeta(input.authority, false),
    ],
    data: u32(Tag.Upgrade),
  };
}

/** A deployed program's ProgramData header. */
export type ProgramDataInfo = { readonly slot: bigint; readonly upgradeAuthority: Address | null; readonly maxDataLen: number };

/**
 * Reads a loader-v3 program: null when `program` is not an upgradeable program.
 *
 * @example
 * const info = await fetchUpgradeableProgram(chain, programAddress); // { slot, upgradeAuthority, maxDataLen }
 */
export async function fetchUpgradeableProgram(
  chain: Chain,
  program: Address,
): Promise<(ProgramDataInfo & { readonly programData: Address; readonly code: ReadonlyUint8Array }) | null> {
  const account = await chain.getAccount(program);
  if (!account || account.owner !== LOADER_V3_PROGRAM_ADDRESS || account.data.length !== LOADER_V3_PROGRAM_ACCOUNT_LEN) return null;
  const programData = getAddressDecoder().decode(account.data, 4);
  const data = await chain.getAccount(programData);
  if (!data || data.data.length < LOADER_V3_PROGRAMDATA_METADATA_LEN) return null;
  const view = new DataView(Uint8Array.from(data.data).buffer);
  return {
    programData,
    slot: view.getBigUint64(4, true),
    upgradeAuthority: data.data[12] === 1 ? getAddressDecoder().decode(data.data, 13) : null,
    maxDataLen: data.data.length - LOADER_V3_PROGRAMDATA_METADATA_LEN,
    code: data.data.slice(LOADER_V3_PROGRAMDATA_METADATA_LEN),
  };
}

/** Largest `Write` payload that keeps one transaction within 1,232 bytes. */
function writeChunkSize(buffer: Address, authority: TransactionSigner): number {
  const size = measureTransactionSize([getWriteInstruction({ buffer, authority, offset: 0, data: new Uint8Array() })], authority);
  // The data's u64 length prefix is already counted; the instruction's data length is a compact-u16
  // that grows by one byte past 127: keep one byte of slack.
  return SIZE_LIMIT - size - 1;
}

export type DeployProgramInput = {
  /** Pays every fee and rent and becomes the upgrade authority (the Solana CLI's `--keypair`). */
  readonly authority: TransactionSigner;
  /** The program id keypair (only used for the first deploy: its account is created and signed for). */
  readonly program: TransactionSigner;
  /** The ELF (`target/deploy/chainference.so`). */
  readonly elf: ReadonlyUint8Array;
  /** Bytes reserved for later upgrades; default twice the ELF (the loader cannot grow it without an extend). */
  readonly maxDataLen?: number;
  /** Buffer writes in flight at once (they are independent); default 8. */
  readonly writeConcurrency?: number;
  /** The buffer account signer (a fresh keypair by default). */
  readonly buffer?: TransactionSigner;
  /** Progress; `buffer` is the buffer account (after a failure its rent is recovered with `solana program close <buffer>`). */
  readonly onProgress?: (event: {
    readonly phase: "buffer" | "write" | "deploy";
    readonly done: number;
    readonly total: number;
    readonly buffer: Address;
  }) => void;
};

export type DeployedProgram = {
  readonly program: Address;
  readonly programData: Address;
  readonly upgraded: boolean;
  readonly transactions: readonly SentTransaction[];
  /** Lamports the authority spent: fees plus rent locked in the program and ProgramData accounts. */
  readonly spent: bigint;
};

/**
 * A validator runs a program deployed (or upgraded) in slot S only from slot S + 1 on: until the confirmed
 * slot passes S, preflight fails with "Program is not deployed". Waits for that, at most `timeoutMs`
 * (a chain whose clock does not move, like a LiteSVM test chain, already runs it in slot S).
 */
async function waitForSlotAfter(chain: Chain, slot: bigint, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await chain.getSlot()) <= slot && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

/**
 * Deploys (or upgrades, when the program exists and `authority` is its upgrade authority) an SBF
 * program with the upgradeable loader, as `solana program deploy` does: a buffer account created and
 * initialized, the ELF written in transaction-sized chunks, then `DeployWithMaxDataLen` (or `Upgrade`).
 *
 * @example
 * const elf = await readFile("target/deploy/chainference.so");
 * const { program } = await deployProgram(chain, { authority: deployer, program: programKeypair, elf });
 */
export async function deployProgram(chain: Chain, input: DeployProgramInput): Promise<DeployedProgram> {
  const { authority, elf } = input;
  const before = await chain.getBalance(authority.address);
  const existing = await fetchUpgradeableProgram(chain, input.program.address);
  if (existing) {
    if (existing.upgradeAuthority !== authority.address)
      throw new Error(
        `program ${input.program.address} exists and its upgrade authority is ${existing.upgradeAuthority ?? "none (immutable)"}, not ${authority.address}`,
      );
    if (elf.length > existing.maxDataLen)
      throw new Error(
        `the ELF (${elf.length} bytes) exceeds the program's max data length (${existing.maxDataLen}); extend the program first`,
      );
  } else if (await chain.getAccount(input.program.address)) {
    throw new Error(`${input.program.address} already holds an account that is not an upgradeable program`);
  }

  const buffer = input.buffer ?? (await generateKeyPairSigner());
  const bufferLen = LOADER_V3_BUFFER_METADATA_LEN + elf.length;
  const transactions: SentTransaction[] = [];
  const send = async (instructions: Instruction[], computeUnitLimit?: number) => {
    const sent = await chain.sendInstructions(instructions, { feePayer: authority, ...(computeUnitLimit ? { computeUnitLimit } : {}) });
    transactions.push(sent);
    return sent;
  };

  input.onProgress?.({ phase: "buffer", done: 0, total: 1, buffer: buffer.address });
  await send([
    getCreateAccountInstruction({
      payer: authority,
      newAccount: buffer,
      lamports: await chain.getMinimumBalanceForRentExemption(bufferLen),
      space: BigInt(bufferLen),
      programAddress: LOADER_V3_PROGRAM_ADDRESS,
    }),
    getInitializeBufferInstruction({ buffer: buffer.address, authority: authority.address }),
  ]);

  const chunk = writeChunkSize(buffer.address, authority);
  const offsets = Array.from({ length: Math.ceil(elf.length / chunk) }, (_, i) => i * chunk);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < offsets.length) {
      const offset = offsets[next++]!;
      await send([getWriteInstruction({ buffer: buffer.address, authority, offset, data: elf.slice(offset, offset + chunk) })]);
      input.onProgress?.({ phase: "write", done: ++done, total: offsets.length, buffer: buffer.address });
    }
  };
  await Promise.all(Array.from({ length: Math.min(input.writeConcurrency ?? 8, offsets.length) }, worker));

  const program = input.program.address;
  const programData = await findProgramDataAddress(program);
  input.onProgress?.({ phase: "deploy", done: 0, total: 1, buffer: buffer.address });
  let deployed: SentTransaction;
  if (existing) {
    deployed = await send([getUpgradeInstruction({ programData, program, buffer: buffer.address, spill: authority.address, authority })]);
  } else {
    const maxDataLen = BigInt(input.maxDataLen ?? elf.length * 2);
    if (maxDataLen < BigInt(elf.length)) throw new RangeError(`maxDataLen ${maxDataLen} is below the ELF size ${elf.length}`);
    deployed = await send(
      [
        getCreateAccountInstruction({
          payer: authority,
          newAccount: input.program,
          lamports: await chain.getMinimumBalanceForRentExemption(LOADER_V3_PROGRAM_ACCOUNT_LEN),
          space: BigInt(LOADER_V3_PROGRAM_ACCOUNT_LEN),
          programAddress: LOADER_V3_PROGRAM_ADDRESS,
        }),
        getDeployWithMaxDataLenInstruction({ payer: authority, programData, program, buffer: buffer.address, authority, maxDataLen }),
      ],
      400_000,
    );
  }
  await waitForSlotAfter(chain, deployed.slot);
  input.onProgress?.({ phase: "deploy", done: 1, total: 1, buffer: buffer.address });
  return { program, programData, upgraded: existing !== null, transactions, spent: before - (await chain.getBalance(authority.address)) };
}
