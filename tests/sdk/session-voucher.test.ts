/**
 * The session voucher bytes (docs/sessions.md §2) and the Ed25519 precompile instruction the SDK builds for
 * `settle_session`: exact offsets, round trip, bounds, and a signature that verifies over the bytes the
 * program reads. (tests/program/instructions/settle_session*.test.ts land them against the real program.)
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { getAddressDecoder, getAddressEncoder, type Address } from "@solana/kit";
import { describe, expect, it } from "vitest";
import {
  ED25519_PROGRAM_ADDRESS,
  decodeVoucher,
  encodeVoucher,
  getSettleSessionInstructions,
  getVoucherVerifyInstruction,
} from "../../clients/js/src/sessions";
import { SETTLE_SESSION_DISCRIMINATOR } from "../../clients/js/src/generated";

const session = getAddressDecoder().decode(new Uint8Array(32).map((_, i) => i + 1));

describe("session voucher bytes", () => {
  it("encodes magic, session, lamports, tokens and answers at the documented offsets (54 bytes)", () => {
    // Given a voucher with distinct byte patterns / When encoded
    const bytes = encodeVoucher({ session, lamports: 0x0102030405060708n, tokens: 0x1112131415161718n, answers: 0x21222324 });
    // Then every field sits where docs/sessions.md §2 says
    expect(bytes.length).toBe(54);
    expect([...bytes.subarray(0, 2)]).toEqual([0x43, 0x01]);
    expect(bytes.subarray(2, 34)).toEqual(new Uint8Array(getAddressEncoder().encode(session)));
    expect([...bytes.subarray(34, 42)]).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    expect([...bytes.subarray(42, 50)]).toEqual([0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11]);
    expect([...bytes.subarray(50, 54)]).toEqual([0x24, 0x23, 0x22, 0x21]);
    expect(decodeVoucher(bytes)).toEqual({ session, lamports: 0x0102030405060708n, tokens: 0x1112131415161718n, answers: 0x21222324 });
  });

  it("refuses values outside u64/u32, another length and another magic", () => {
    expect(() => encodeVoucher({ session, lamports: -1n, tokens: 0n, answers: 0 })).toThrow(RangeError);
    expect(() => encodeVoucher({ session, lamports: 1n << 64n, tokens: 0n, answers: 0 })).toThrow(RangeError);
    expect(() => encodeVoucher({ session, lamports: 0n, tokens: 0n, answers: 2 ** 32 })).toThrow(RangeError);
    const bytes = encodeVoucher({ session, lamports: 1n, tokens: 2n, answers: 3 });
    expect(() => decodeVoucher(bytes.subarray(0, 53))).toThrow(RangeError);
    const wrong = bytes.slice();
    wrong[1] = 2;
    expect(() => decodeVoucher(wrong)).toThrow(/magic/);
  });
});

describe("getVoucherVerifyInstruction", () => {
  it("builds the canonical 166-byte single-signature instruction whose signature verifies over bytes 112..166", () => {
    // Given a session key and its signature over a voucher
    const secret = ed25519.utils.randomSecretKey();
    const voucherSigner = getAddressDecoder().decode(ed25519.getPublicKey(secret)) as Address;
    const voucher = { session, lamports: 5_000n, tokens: 120n, answers: 1 };
    const signature = ed25519.sign(encodeVoucher(voucher), secret);
    // When the instruction is built
    const ix = getVoucherVerifyInstruction({ voucherSigner, voucher, signature });
    // Then it targets the precompile with exactly the documented layout
    const data = new Uint8Array(ix.data);
    const view = new DataView(data.buffer);
    expect(ix.programAddress).toBe(ED25519_PROGRAM_ADDRESS);
    expect(ix.accounts ?? []).toEqual([]);
    expect(data.length).toBe(166);
    expect([data[0], data[1]]).toEqual([1, 0]);
    expect([2, 4, 6, 8, 10, 12, 14].map((o) => view.getUint16(o, true))).toEqual([48, 0xffff, 16, 0xffff, 112, 54, 0xffff]);
    expect(ed25519.verify(data.subarray(48, 112), data.subarray(112, 166), data.subarray(16, 48))).toBe(true);
    // And the encoded voucher or its bytes give the same instruction
    expect(new Uint8Array(getVoucherVerifyInstruction({ voucherSigner, voucher: encodeVoucher(voucher), signature }).data)).toEqual(data);
    expect(() => getVoucherVerifyInstruction({ voucherSigner, voucher, signature: signature.subarray(1) })).toThrow(RangeError);
  });

  it("getSettleSessionInstructions puts the verify instruction right before settle_session", async () => {
    const { generateKeyPairSigner } = await import("@solana/kit");
    const operator = await generateKeyPairSigner();
    const secret = ed25519.utils.randomSecretKey();
    const voucherSigner = getAddressDecoder().decode(ed25519.getPublicKey(secret)) as Address;
    const voucher = { session, lamports: 1n, tokens: 0n, answers: 0 };
    const [verify, settle] = getSettleSessionInstructions({
      operator,
      server: session,
      session,
      feeVault: session,
      voucherSigner,
      voucher,
      signature: ed25519.sign(encodeVoucher(voucher), secret),
    });
    expect(verify.programAddress).toBe(ED25519_PROGRAM_ADDRESS);
    expect(settle.data?.[0]).toBe(SETTLE_SESSION_DISCRIMINATOR);
    expect(settle.accounts?.at(-1)?.address).toBe("Sysvar1nstructions1111111111111111111111111");
  });
});
