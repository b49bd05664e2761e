/** The response address a request names with its stored `response_bump`, as provider nodes check it before locking. */
import { describe, expect, it } from "vitest";
import { generateKeyPairSigner } from "@solana/kit";
import { checkResponseAddress, findResponsePda, responseAddressWithBump } from "@chainference/client";

import { nonCanonicalPda, onCurveBump, pdaWithBump, responseSeeds } from "../helpers/lifecycle";

describe("response address named by a request", () => {
  it("is the canonical response PDA for the canonical bump", async () => {
    // Given a request address and its canonical response PDA
    const request = (await generateKeyPairSigner()).address;
    const [canonical, bump] = await findResponsePda({ request });
    // Then the stored canonical bump names exactly that address, and the check passes
    expect(responseAddressWithBump(request, bump)).toBe(canonical);
    expect(await checkResponseAddress({ address: request, responseBump: bump })).toEqual({
      canonical,
      canonicalBump: bump,
      named: canonical,
      canonicalNamed: true,
    });
  });

  it("is another program address for a valid lower bump, which the check rejects", async () => {
    // Given the highest valid bump below the canonical one (what a server once could pick)
    const request = (await generateKeyPairSigner()).address;
    const [canonical, bump] = await findResponsePda({ request });
    const [other, lower] = await nonCanonicalPda(responseSeeds(request), bump);
    // Then it names that other address (as create_program_address would), not the canonical one
    expect(responseAddressWithBump(request, lower)).toBe(other);
    expect(await pdaWithBump(responseSeeds(request), lower)).toBe(other);
    const check = await checkResponseAddress({ address: request, responseBump: lower });
    expect(check).toMatchObject({ canonical, named: other, canonicalNamed: false });
  });

  it("is no address for a bump whose seeds land on the curve", async () => {
    const request = (await generateKeyPairSigner()).address;
    const bump = await onCurveBump(responseSeeds(request));
    expect(responseAddressWithBump(request, bump)).toBeNull();
    expect(await checkResponseAddress({ address: request, responseBump: bump })).toMatchObject({ named: null, canonicalNamed: false });
  });

  it("rejects a bump that is not a u8", () => {
    expect(() => responseAddressWithBump("11111111111111111111111111111111" as never, 256)).toThrow(RangeError);
    expect(() => responseAddressWithBump("11111111111111111111111111111111" as never, -1)).toThrow(RangeError);
  });
});
