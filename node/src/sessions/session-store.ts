import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { isAddress, type Address } from "@solana/kit";
import { decodeVoucher, fromBase64, toBase64, VOUCHER_LENGTH, type SignedVoucher } from "@chainference/client/sessions";

/** What the node keeps about one session across restarts. */
export type StoredSession = Readonly<{
  session: Address;
  /** The latest voucher accepted (what a restart settles), if any. */
  voucher: SignedVoucher | null;
  /** Lowest answer index still accepted (replays are refused across restarts too). */
  nextAnswer: number;
  /** Lamports already settled on chain by this node. */
  settledLamports: bigint;
  /** Set once the node closed the session. */
  closed: boolean;
}>;

/** The durable store of sessions: one JSON file per session, written before the node acts on it. */
export type SessionStore = Readonly<{
  directory: string;
  load(): Promise<readonly StoredSession[]>;
  save(entry: StoredSession): Promise<void>;
}>;

/**
 * A store in `directory` (created 0700). Each save writes a temporary file and renames it over the old one, so a
 * crash leaves either the previous or the new record, never half of one.
 *
 * @example
 * const store = createSessionStore(`${keyringPath}.sessions`);
 * for (const entry of await store.load()) if (entry.voucher && !entry.closed) settleLater(entry);
 */
export function createSessionStore(directory: string): SessionStore {
  let ready: Promise<unknown> | null = null;
  const ensure = () => (ready ??= mkdir(directory, { recursive: true, mode: 0o700 }));
  let sequence = 0;
  return {
    directory,
    async load() {
      await ensure();
      const entries: StoredSession[] = [];
      for (const name of await readdir(directory)) {
        if (!name.endsWith(".json")) continue;
        const doc = JSON.parse(await readFile(join(directory, name), "utf8")) as Record<string, unknown>;
        if (typeof doc.session !== "string" || !isAddress(doc.session)) continue;
        const voucher =
          doc.voucher && typeof doc.voucher === "object"
            ? (() => {
                const v = doc.voucher as Record<string, unknown>;
                const bytes = fromBase64(v.bytes, "stored voucher", VOUCHER_LENGTH);
                return { voucher: decodeVoucher(bytes), bytes, signature: fromBase64(v.signature, "stored voucher signature", 64) };
              })()
            : null;
        entries.push({
          session: doc.session,
          voucher,
          nextAnswer: Number(doc.nextAnswer ?? 0),
          settledLamports: BigInt(String(doc.settledLamports ?? "0")),
          closed: doc.closed === true,
        });
      }
      return entries;
    },
    async save(entry) {
      await ensure();
      const path = join(directory, `${entry.session}.json`);
      const temporary = `${path}.${process.pid}.${(sequence += 1)}.tmp`;
      const doc = {
        session: entry.session,
        voucher: entry.voucher ? { bytes: toBase64(entry.voucher.bytes), signature: toBase64(entry.voucher.signature) } : null,
        nextAnswer: entry.nextAnswer,
        settledLamports: entry.settledLamports.toString(),
        closed: entry.closed,
      };
      await writeFile(temporary, JSON.stringify(doc), { mode: 0o600 });
      await rename(temporary, path);
    },
  };
}
