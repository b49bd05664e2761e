import { getAddressEncoder, type Address } from "@solana/kit";

/**
 * The sampling seed of a request: the first four bytes of its address. A restarted node regenerates the
 * same text (also when the prompt asks for temperature > 0) and continues after what already landed.
 *
 * @example
 * generationSeed(request.address); // e.g. 2_851_637_102
 */
export function generationSeed(request: Address): number {
  const bytes = getAddressEncoder().encode(request);
  return new DataView(Uint8Array.from(bytes.slice(0, 4)).buffer).getUint32(0, true);
}
