/** Units the command reads and prints: SOL amounts, prices per million tokens, durations, slots. */
import { usageError } from "../errors/cli-error";

export const LAMPORTS_PER_SOL = 1_000_000_000n;
/** Solana's target slot time; timeouts given as durations become slots at this rate. */
export const SLOT_MS = 400;

const SOL_PATTERN = /^(\d+)(?:\.(\d{1,9}))?$/;

/**
 * Parses a SOL amount ("0.01", "2", "0.000005") into lamports, exactly (no floating point).
 *
 * @example
 * parseSol("0.01", "--stake"); // 10_000_000n
 */
export function parseSol(text: string, flag: string): bigint {
  const match = SOL_PATTERN.exec(text.trim());
  if (!match) throw usageError(`${flag} must be an amount of SOL such as 0.01 (at most 9 decimals), got '${text}'`);
  const whole = BigInt(match[1]!);
  const fraction = BigInt((match[2] ?? "").padEnd(9, "0"));
  return whole * LAMPORTS_PER_SOL + fraction;
}

/**
 * Lamports as SOL with all 9 decimals ("0.010000000"), or trimmed of trailing zeros.
 *
 * @example
 * formatSol(10_000_000n); // "0.01"
 * formatSol(10_000_000n, { fixed: true }); // "0.010000000"
 */
export function formatSol(lamports: bigint, options: { readonly fixed?: boolean } = {}): string {
  const negative = lamports < 0n;
  const abs = negative ? -lamports : lamports;
  const whole = abs / LAMPORTS_PER_SOL;
  let fraction = (abs % LAMPORTS_PER_SOL).toString().padStart(9, "0");
  if (!options.fixed) fraction = fraction.replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

/**
 * Groups digits by thousands: `12,345`.
 *
 * @example
 * formatInteger(1234567n); // "1,234,567"
 */
export function formatInteger(value: bigint | number): string {
  return BigInt(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * Parses a duration: "90s", "5m", "1h", "7d", "500ms" or plain seconds ("300").
 *
 * @example
 * parseDuration("5m", "--timeout"); // 300_000
 */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) throw usageError(`${flag} must be a duration such as 90s, 5m or 1h, got '${text}'`);
  const value = Number(match[1]);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(match[2] ?? "s") as "ms" | "s" | "m" | "h" | "d"];
  const ms = Math.round(value * unit);
  if (ms <= 0) throw usageError(`${flag} must be longer than zero, got '${text}'`);
  return ms;
}

/** Slots covering `ms` at {@link SLOT_MS} (rounded up). */
export function durationToSlots(ms: number): bigint {
  return BigInt(Math.ceil(ms / SLOT_MS));
}

/**
 * Slots as an approximate wall-clock duration: "2.4 s", "5 min".
 *
 * @example
 * formatSlots(750n); // "5 min"
 */
export function formatSlots(slots: bigint | number): string {
  const seconds = (Number(slots) * SLOT_MS) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600) return `${+(seconds / 60).toFixed(1)} min`;
  return `${+(seconds / 3600).toFixed(1)} h`;
}

/**
 * Parses a non-negative integer flag.
 *
 * @example
 * parseInteger("8899", "--port", { max: 65535 }); // 8899
 */
export function parseInteger(text: string, flag: string, range: { readonly min?: number; readonly max?: number } = {}): number {
  const min = range.min ?? 0;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max)
    throw usageError(`${flag} must be a whole number from ${min} to ${max}, got '${text}'`);
  return Number(text);
}
