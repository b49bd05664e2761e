import { sha256 } from "@noble/hashes/sha2.js";
import { getAddressDecoder, getAddressEncoder, getUtf8Encoder, isOffCurveAddress, type Address } from "@solana/kit";
import { CHAINFERENCE_PROGRAM_ADDRESS, findResponsePda } from "../generated";

const RESPONSE_SEED = Uint8Array.from(getUtf8Encoder().encode("response"));
const PDA_MARKER = Uint8Array.from(getUtf8Encoder().encode("ProgramDerivedAddress"));

/**
 * `create_program_address(["response", request, [bump]])`: the address the program creates a request's
 * response at when the request stores `bump` as its `response_bump` (the first `append_response` signs with
 * it). Null when those seeds land on the curve: no program address exists, so the first chunk would fail.
 *
 * @example
 * const address = responseAddressWithBump(request.address, request.responseBump);
 */
export function responseAddressWithBump(
  request: Address,
  bump: number,
  programAddress: Address = CHAINFERENCE_PROGRAM_ADDRESS,
): Address | null {
  if (!Number.isInteger(bump) || bump < 0 || bump > 255) throw new RangeError(`a bump is a u8, got ${bump}`);
  const encoder = getAddressEncoder();
  const digest = sha256
    .create()
    .update(RESPONSE_SEED)
    .update(encoder.encode(request) as Uint8Array)
    .update(Uint8Array.of(bump))
    .update(encoder.encode(programAddress) as Uint8Array)
    .update(PDA_MARKER)
    .digest();
  const candidate = getAddressDecoder().decode(digest);
  return isOffCurveAddress(candidate) ? candidate : null;
}

/** Where a request's response will be created, and whether that is where clients look for it. */
export type ResponseAddressCheck = Readonly<{
  /** The canonical response PDA (`findResponsePda`): where clients and the SDK read the answer. */
  canonical: Address;
  canonicalBump: number;
  /** The address the stored `response_bump` gives (null: no program address, the first chunk would fail). */
  named: Address | null;
  /** `named === canonical`. */
  canonicalNamed: boolean;
}>;

/**
 * Checks the response address a request names (its stored `response_bump`) against the canonical response
 * PDA. A request whose bump is not the canonical one cannot be answered where its client looks (or at all):
 * a provider node skips it before locking.
 *
 * @example
 * const check = await checkResponseAddress(request);
 * if (!check.canonicalNamed) console.log(`response would land at ${check.named ?? "no address"}, not ${check.canonical}`);
 */
export async function checkResponseAddress(
  request: Readonly<{ address: Address; responseBump: number }>,
  programAddress: Address = CHAINFERENCE_PROGRAM_ADDRESS,
): Promise<ResponseAddressCheck> {
  const [canonical, canonicalBump] = await findResponsePda({ request: request.address }, { programAddress });
  const named = responseAddressWithBump(request.address, request.responseBump, programAddress);
  return { canonical, canonicalBump, named, canonicalNamed: named === canonical };
}
