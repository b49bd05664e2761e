import type { Address, Signature } from "@solana/kit";
import type { Chain, HistoricalTransaction, SignatureQuery } from "./chain";

/** The most signatures one `getSignaturesForAddress` RPC call returns (the validator's cap). */
export const MAX_SIGNATURES_PER_PAGE = 1_000;

/**
 * A {@link Chain.getSignaturesForAddress} argument as a query with its limit (a number is the limit alone;
 * default and cap {@link MAX_SIGNATURES_PER_PAGE}).
 *
 * @example
 * signatureQuery(50); // { limit: 50 }
 */
export function signatureQuery(query: number | SignatureQuery = {}): SignatureQuery & { readonly limit: number } {
  const asked = typeof query === "number" ? { limit: query } : query;
  return { ...asked, limit: Math.max(1, Math.min(MAX_SIGNATURES_PER_PAGE, asked.limit ?? MAX_SIGNATURES_PER_PAGE)) };
}

/**
 * Every successful transaction signature that named `address`, newest first: pages of 1,000 with the `before`
 * cursor until a short page, so an address with any number of transactions is read whole (`until` stops early).
 *
 * @example
 * const signatures = await listSignaturesForAddress(chain, wallet.address);
 */
export async function listSignaturesForAddress(
  chain: Chain,
  address: Address,
  options: { readonly until?: Signature; readonly pageSize?: number } = {},
): Promise<Signature[]> {
  const limit = signatureQuery(options.pageSize).limit;
  const all: Signature[] = [];
  for (let before: Signature | undefined; ;) {
    const page = await chain.getSignaturesForAddress(address, {
      limit,
      ...(before ? { before } : {}),
      ...(options.until ? { until: options.until } : {}),
    });
    all.push(...page);
    if (page.length < limit) return all;
    before = page.at(-1);
  }
}

/** Transactions fetched at once by {@link fetchTransactions}: enough to hide latency, few enough for public endpoints. */
const TRANSACTIONS_IN_FLIGHT = 8;

/**
 * The transactions of `signatures`, fetched a few at a time, by signature (absent: the endpoint does not hold it).
 * `known` is reused and filled, so a signature is fetched once across calls.
 *
 * @example
 * const transactions = await fetchTransactions(chain, signatures);
 */
export async function fetchTransactions(
  chain: Chain,
  signatures: readonly Signature[],
  known: Map<Signature, HistoricalTransaction | null> = new Map(),
): Promise<Map<Signature, HistoricalTransaction | null>> {
  const missing = [...new Set(signatures)].filter((s) => !known.has(s));
  let next = 0;
  const worker = async () => {
    while (next < missing.length) {
      const signature = missing[next++]!;
      known.set(signature, await chain.getTransaction(signature));
    }
  };
  await Promise.all(Array.from({ length: Math.min(TRANSACTIONS_IN_FLIGHT, missing.length) }, worker));
  return known;
}
