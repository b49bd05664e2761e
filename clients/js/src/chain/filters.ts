import type { ReadonlyUint8Array } from "@solana/kit";
import type { ProgramAccountsQuery } from "./chain";

/** True when `data` passes a `getProgramAccounts` query (dataSize and every memcmp). */
export function matchesQuery(data: ReadonlyUint8Array, query: ProgramAccountsQuery): boolean {
  if (query.dataSize !== undefined && data.length !== query.dataSize) return false;
  return (query.memcmp ?? []).every(({ offset, bytes }) => {
    if (offset + bytes.length > data.length) return false;
    for (let i = 0; i < bytes.length; i++) if (data[offset + i] !== bytes[i]) return false;
    return true;
  });
}
