/** Amounts and addresses as people read them. */

export const LAMPORTS_PER_SOL = 1_000_000_000n;

/** Lamports as SOL with up to 9 decimals, trailing zeros trimmed: `1_500_000n` → `"0.0015"`. */
export function formatSol(lamports: bigint): string {
  const negative = lamports < 0n;
  const abs = negative ? -lamports : lamports;
  const whole = abs / LAMPORTS_PER_SOL;
  const frac = (abs % LAMPORTS_PER_SOL).toString().padStart(9, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${frac ? `.${frac}` : ""}`;
}

/** SOL text (`"0.01"`) as lamports; null when it is not a non-negative amount with at most 9 decimals. */
export function parseSol(text: string): bigint | null {
  const match = /^\s*(\d*)(?:\.(\d{0,9}))?\s*$/.exec(text);
  if (!match || (match[1] === "" && (match[2] ?? "") === "")) return null;
  return BigInt(match[1] || "0") * LAMPORTS_PER_SOL + BigInt((match[2] ?? "").padEnd(9, "0"));
}

/** The USD value of lamports at `usdPerSol`, as `$0.0123` (more digits for tiny amounts). */
export function formatUsd(lamports: bigint, usdPerSol: number): string {
  const usd = (Number(lamports) / 1e9) * usdPerSol;
  if (usd === 0) return "$0";
  if (usd < 0.0001) return "< $0.0001";
  return `$${usd < 1 ? usd.toPrecision(2) : usd.toFixed(2)}`;
}

/** Lamports as a USD amount to type into a field: up to 6 significant digits, no `$` (`1_000_000n` at 150 → `"0.15"`). */
export function formatUsdInput(lamports: bigint, usdPerSol: number): string {
  return String(Number(((Number(lamports) / 1e9) * usdPerSol).toPrecision(6)));
}

/** USD text (`"1.50"`, an optional `$`) as lamports at `usdPerSol`, rounded; null when it is not a non-negative amount. */
export function parseUsd(text: string, usdPerSol: number): bigint | null {
  const match = /^\s*\$?\s*(\d*(?:\.\d*)?)\s*$/.exec(text);
  if (!match || !/\d/.test(match[1]!) || !(usdPerSol > 0)) return null;
  return BigInt(Math.round((Number(match[1]) / usdPerSol) * 1e9));
}

/** A positive SOL price in USD from its text; null otherwise. */
export function parseUsdPerSol(text: string): number | null {
  const value = Number(text);
  return /^\s*\d*\.?\d+\s*$/.test(text) && value > 0 && Number.isFinite(value) ? value : null;
}

/** Price per 1M tokens in lamports, as SOL per 1M tokens. */
export function formatPrice(lamportsPerMillion: bigint): string {
  return `${formatSol(lamportsPerMillion)} SOL`;
}

/** `Abcd…wxyz`. */
export function shortAddress(address: string, edge = 4): string {
  return address.length <= edge * 2 + 1 ? address : `${address.slice(0, edge)}…${address.slice(-edge)}`;
}

/** Slots as wall time at 400 ms a slot: `"12 s"`, `"5 min"`, `"3 h"`. */
export function slotsAgo(slots: bigint): string {
  const seconds = Number(slots) * 0.4;
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400 * 2) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

/** An integer with thousands separators. */
export function formatInteger(value: bigint | number): string {
  return value.toLocaleString("en-US");
}
