/** The protocol limit flags (./limit-options.ts) parsed into protocol parameter changes; `localnet` reads them too. */
import { isAddress, type Address } from "@solana/kit";
import type { ProtocolParameters } from "@chainference/client";
import { usageError } from "../../shared/errors/cli-error";
import { durationToSlots, parseDuration, parseInteger, parseSol } from "../../shared/output/units";
import { MAX_FEE_BPS, type LimitFlags } from "./limit-options";

/**
 * `--fee-bps` or `set-fee`'s argument: 0 to the program's cap. `name` is what the user typed it as, so the
 * message names a flag that exists.
 *
 * @example
 * parseFeeBps("500", "set-fee's <bps>"); // 500
 */
export function parseFeeBps(text: string, name = "--fee-bps"): number {
  return parseInteger(text, name, { max: MAX_FEE_BPS });
}

const slots = (text: string, flag: string) => durationToSlots(parseDuration(text, flag));

/** The limit flags given, as protocol parameter changes. */
export function parseLimits(flags: LimitFlags): Partial<ProtocolParameters> {
  if (flags.treasury !== undefined && !isAddress(flags.treasury))
    throw usageError(`--treasury '${flags.treasury}' is not a base58 account address`);
  return {
    ...(flags.treasury === undefined ? {} : { treasury: flags.treasury as Address }),
    ...(flags.feeBps === undefined ? {} : { feeBps: parseFeeBps(flags.feeBps) }),
    ...(flags.minStake === undefined ? {} : { minStake: parseSol(flags.minStake, "--min-stake") }),
    ...(flags.maxPromptBytes === undefined
      ? {}
      : { maxPromptBytes: parseInteger(flags.maxPromptBytes, "--max-prompt-bytes", { min: 1, max: 0xffff_ffff }) }),
    ...(flags.maxResponseBytes === undefined
      ? {}
      : { maxResponseBytes: parseInteger(flags.maxResponseBytes, "--max-response-bytes", { min: 1, max: 0xffff_ffff }) }),
    ...(flags.responseTimeout === undefined ? {} : { defaultResponseTimeout: slots(flags.responseTimeout, "--response-timeout") }),
    ...(flags.maxResponseTimeout === undefined ? {} : { maxResponseTimeout: slots(flags.maxResponseTimeout, "--max-response-timeout") }),
    ...(flags.minResponseTimeout === undefined ? {} : { minResponseTimeout: slots(flags.minResponseTimeout, "--min-response-timeout") }),
    ...(flags.openFor === undefined ? {} : { openRequestSlots: slots(flags.openFor, "--open-for") }),
    ...(flags.closeGrace === undefined ? {} : { closeGraceSlots: slots(flags.closeGrace, "--close-grace") }),
    ...(flags.minBond === undefined ? {} : { minBond: parseSol(flags.minBond, "--min-bond") }),
    ...(flags.abandonPenalty === undefined ? {} : { abandonPenalty: parseSol(flags.abandonPenalty, "--abandon-penalty") }),
    ...(flags.bondCooldown === undefined ? {} : { bondCooldownSlots: slots(flags.bondCooldown, "--bond-cooldown") }),
  };
}
