/** `getProgramAccounts` / `programSubscribe` filters. */
import { getBase58Encoder, getBase64Encoder } from "@solana/kit";
import type { MemcmpFilter, ProgramAccountsQuery } from "@chainference/client";

export type RpcFilter = { dataSize?: number; memcmp?: { offset: number; bytes: string; encoding?: string } };

const b58e = getBase58Encoder();
const b64e = getBase64Encoder();

/**
 * The filters as a query (memcmp bytes in base58 unless said otherwise).
 *
 * @example
 * parseFilters([{ dataSize: 165 }, { memcmp: { offset: 0, bytes: "3Mc6vR" } }]);
 */
export function parseFilters(filters: readonly RpcFilter[] = []): ProgramAccountsQuery {
  const memcmp: MemcmpFilter[] = [];
  let dataSize: number | undefined;
  for (const f of filters) {
    if (f.dataSize !== undefined) dataSize = Number(f.dataSize);
    if (f.memcmp)
      memcmp.push({
        offset: Number(f.memcmp.offset),
        bytes: f.memcmp.encoding === "base64" ? b64e.encode(f.memcmp.bytes) : b58e.encode(f.memcmp.bytes),
      });
  }
  return { ...(dataSize === undefined ? {} : { dataSize }), memcmp };
}
