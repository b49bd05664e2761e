/** Accounts in the JSON form validators answer with (getAccountInfo, notifications). */
import { getBase58Decoder, getBase64Decoder, type Address, type EncodedAccount } from "@solana/kit";
import type { Json } from "./json-rpc";

/** An account's fields as the chain hands them over. */
export type AccountFields = { lamports: bigint; owner: Address; data: Uint8Array | ArrayLike<number>; executable: boolean };

const b58d = getBase58Decoder();
const b64d = getBase64Decoder();

/** Account data as `[text, encoding]`: base58 when asked, else base64. */
export const encodeData = (data: Uint8Array, encoding: string): Json =>
  encoding === "base58" ? [b58d.decode(data), "base58"] : [b64d.decode(data), "base64"];

/**
 * An account as a validator's JSON (rent epoch 0, lamports as a number).
 *
 * @example
 * accountJson({ lamports: 1n, owner, data: new Uint8Array(4), executable: false }, "base64");
 */
export function accountJson(a: AccountFields, encoding: string): Json {
  return {
    data: encodeData(Uint8Array.from(a.data as ArrayLike<number>), encoding),
    executable: a.executable,
    lamports: Number(a.lamports),
    owner: a.owner,
    rentEpoch: 0,
    space: (a.data as Uint8Array).length,
  };
}

/** A LiteSVM account's fields. */
export const svmAccount = (a: EncodedAccount): AccountFields => ({
  lamports: a.lamports,
  owner: a.programAddress,
  data: a.data,
  executable: a.executable,
});

/** What a closed account reads as: no lamports, no data, owned by the system program. */
export const closedAccountJson = (encoding: string): Json =>
  accountJson({ lamports: 0n, owner: "11111111111111111111111111111111" as Address, data: new Uint8Array(), executable: false }, encoding);
