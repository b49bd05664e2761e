/** Protocol limit flags of `admin init`, `admin set-limits` and `localnet` (definitions only; parsing is in ./parse-limits). */
import type { Command } from "commander";

/** The fee cap the program enforces (25 %). */
export const MAX_FEE_BPS = 2_500;

export type LimitFlags = {
  treasury?: string;
  feeBps?: string;
  minStake?: string;
  maxPromptBytes?: string;
  maxResponseBytes?: string;
  responseTimeout?: string;
  maxResponseTimeout?: string;
  minResponseTimeout?: string;
  openFor?: string;
  closeGrace?: string;
  minBond?: string;
  abandonPenalty?: string;
  bondCooldown?: string;
};

export function addLimitOptions(command: Command): Command {
  return command
    .option("--treasury <address>", "account that receives withdrawn fees (default: the admin)")
    .option("--fee-bps <bps>", `protocol fee in basis points of the cost (0-${MAX_FEE_BPS}; 1000 = 10 %)`)
    .option("--min-stake <sol>", "smallest stake a request may escrow")
    .option("--max-prompt-bytes <n>", "largest encrypted prompt")
    .option("--max-response-bytes <n>", "largest encrypted answer")
    .option("--response-timeout <duration>", "default time a locking server has to answer, e.g. 5m")
    .option("--max-response-timeout <duration>", "longest timeout a client may ask for")
    .option("--min-response-timeout <duration>", "shortest timeout a client may ask for, e.g. 30s")
    .option("--open-for <duration>", "how long an unlocked request stays lockable, e.g. 5m")
    .option("--close-grace <duration>", "time after completion before anyone may close a response")
    .option("--min-bond <sol>", "bond a server must hold to lock requests")
    .option("--abandon-penalty <sol>", "moved from a server's bond to the client per abandoned lock (at most --min-bond)")
    .option("--bond-cooldown <duration>", "time after a server's last lock before it may withdraw its bond, e.g. 5m");
}
