/**
 * Instruction mutators for the generic negative tests (drop a signer, make an account read-only,
 * swap an account, tamper with the data) and a raw System transfer.
 */
import { AccountRole, getAddressEncoder, type AccountMeta, type Address, type Instruction, type TransactionSigner } from "@solana/kit";
import { SYSTEM_PROGRAM_ADDRESS } from "./svm";

type Meta = AccountMeta & { signer?: unknown };

function mapAccount(ix: Instruction, index: number, f: (meta: Meta) => Meta): Instruction {
  const accounts = (ix.accounts ?? []) as readonly Meta[];
  if (!accounts[index]) throw new Error(`instruction has no account #${index}`);
  return { ...ix, accounts: accounts.map((m, i) => (i === index ? f(m) : m)) };
}

/** Account #index no longer signs (its signer object is removed, the role loses the signer bit). */
export function withoutSigner(ix: Instruction, index: number): Instruction {
  return mapAccount(ix, index, ({ signer: _signer, ...meta }) => ({
    address: meta.address,
    role: meta.role === AccountRole.WRITABLE_SIGNER ? AccountRole.WRITABLE : AccountRole.READONLY,
  }));
}

/** Account #index is passed read-only (keeps signing if it signed). */
export function readOnly(ix: Instruction, index: number): Instruction {
  return mapAccount(ix, index, (meta) => ({
    ...meta,
    role: meta.role === AccountRole.WRITABLE_SIGNER ? AccountRole.READONLY_SIGNER : AccountRole.READONLY,
  }));
}

/** Account #index is passed writable (keeps signing if it signed). */
export function writable(ix: Instruction, index: number): Instruction {
  return mapAccount(ix, index, (meta) => ({
    ...meta,
    role: meta.role === AccountRole.READONLY_SIGNER ? AccountRole.WRITABLE_SIGNER : AccountRole.WRITABLE,
  }));
}

/** The instruction's accounts followed by `addresses` (read-only, not signing). */
export function appendAccounts(ix: Instruction, addresses: readonly Address[]): Instruction {
  return {
    ...ix,
    accounts: [...(ix.accounts ?? []), ...addresses.map((address) => ({ address, role: AccountRole.READONLY }))],
  };
}

/** The instruction's first `count` accounts. */
export function firstAccounts(ix: Instruction, count: number): Instruction {
  return { ...ix, accounts: (ix.accounts ?? []).slice(0, count) };
}

/** Account #index replaced by `address` (same role, no signer object). */
export function replaceAccount(ix: Instruction, index: number, address: Address): Instruction {
  return mapAccount(ix, index, ({ signer: _signer, ...meta }) => ({
    address,
    role:
      meta.role === AccountRole.WRITABLE_SIGNER
        ? AccountRole.WRITABLE
        : meta.role === AccountRole.READONLY_SIGNER
          ? AccountRole.READONLY
          : meta.role,
  }));
}

/** The instruction's accounts without #index. */
export function removeAccount(ix: Instruction, index: number): Instruction {
  return { ...ix, accounts: (ix.accounts ?? []).filter((_, i) => i !== index) };
}

/** Instruction data with `bytes` appended (trailing bytes must be rejected). */
export function appendData(ix: Instruction, bytes: Uint8Array = new Uint8Array([0])): Instruction {
  const data = new Uint8Array([...(ix.data ?? []), ...bytes]);
  return { ...ix, data };
}

/** Instruction data with the byte at `offset` replaced. */
export function setDataByte(ix: Instruction, offset: number, value: number): Instruction {
  const data = new Uint8Array(ix.data ?? []);
  if (offset >= data.length) throw new Error(`data has ${data.length} bytes, no offset ${offset}`);
  data[offset] = value;
  return { ...ix, data };
}

/** System program transfer (instruction 2: u32 index ‖ u64 lamports). */
export function systemTransfer(from: TransactionSigner, to: Address, amount: bigint): Instruction {
  const data = new Uint8Array(12);
  const view = new DataView(data.buffer);
  view.setUint32(0, 2, true);
  view.setBigUint64(4, amount, true);
  return {
    programAddress: SYSTEM_PROGRAM_ADDRESS,
    accounts: [
      { address: from.address, role: AccountRole.WRITABLE_SIGNER, signer: from },
      { address: to, role: AccountRole.WRITABLE },
    ],
    data,
  } as Instruction;
}

export const addressBytes = (address: Address): Uint8Array => new Uint8Array(getAddressEncoder().encode(address));
