import { type Address, type MessagePartialSigner, type TransactionSigner } from "@solana/kit";
import { measureTransactionSize, type Chain, type SentTransaction } from "../chain";
import { deriveKeyRoot, deriveRequestKeys, encryptPrompt, wrapDataKeyForServers, type PromptPayload, type RequestKeys } from "../crypto";
import {
  CHAINFERENCE_ERROR__INPUT__INVALID_MODEL_ID,
  CHAINFERENCE_ERROR__INPUT__PROMPT_TOO_LARGE,
  CHAINFERENCE_ERROR__INPUT__STAKE_TOO_LOW,
  ChainferenceClientError,
} from "../errors";
import {
  CHAINFERENCE_PROGRAM_ADDRESS,
  findRequestPda,
  findResponsePda,
  getAppendPromptInstruction,
  getCreateRequestInstructionAsync,
} from "../generated";
import { fetchProtocolConfig } from "../protocol-config";
import type { ServerWithAddress } from "../servers";
import { validateModelId } from "./model-id";

/** Solana's transaction size limit (bytes on the wire). */
export const TRANSACTION_SIZE_LIMIT = 1232;
/** The most servers one request can name. */
export const MAX_ALLOWED_SERVERS = 8;

/** Everything a client decides when it asks. */
export type PostRequestInput = {
  /** The wallet: pays, signs, and derives the per-request keys (any signer that signs messages). */
  readonly client: TransactionSigner & MessagePartialSigner;
  readonly model: string;
  /** Pin a model revision; empty = any. */
  readonly revision?: string;
  readonly payload: PromptPayload;
  /**
   * The eligible servers, best first (at least one). The request names the first `fanOut`; the rest are
   * the stand-bys {@link handOffUntilLocked} hands it to, one at a time, when the named server does not lock.
   */
  readonly servers: readonly ServerWithAddress[];
  /**
   * Servers named at once, 1..8 (default 1). Every named server can read the prompt: 1 keeps the prompt
   * readable by one server at a time; more suits fire-and-forget requests whose client will not be there to
   * hand them off.
   */
  readonly fanOut?: number;
  /** Lamports: the most this request may cost. */
  readonly stake: bigint;
  /** Slots the locking server has to answer; 0 = the protocol default (about 5 minutes). */
  readonly responseTimeoutSlots?: bigint;
  readonly maxPriceIn: bigint;
  readonly maxPriceOut: bigint;
  readonly minCompleted?: bigint;
  readonly minSuccessBps?: number;
  readonly minAvgRating?: number;
  /** Request nonce (random when absent). */
  readonly nonce?: bigint;
};

export type PostedRequest = {
  readonly address: Address;
  readonly nonce: bigint;
  readonly keys: RequestKeys;
  readonly promptBytes: number;
  readonly transactions: readonly SentTransaction[];
  /** The servers the request names (the data key is wrapped for each), in allow-list order. */
  readonly named: readonly Address[];
  /** The other eligible servers, best first: where a hand-off goes next. */
  readonly standby: readonly ServerWithAddress[];
};

/** Payload bytes the transaction rooms are measured with (instruction data ≥ 128 bytes: 2-byte length). */
const PROBE = 128;

const randomNonce = (): bigint => new DataView(crypto.getRandomValues(new Uint8Array(8)).buffer).getBigUint64(0, true);

/**
 * Encrypts a prompt for the first `fanOut` (default 1) of the eligible servers and posts the request: `create_request` with as much
 * of the ciphertext as fits in one transaction, then `append_prompt` transactions for the rest.
 * The stake moves into the request account, which is its own escrow. The request names the canonical
 * response PDA (`response_bump`), so the answer is written where `watchResponse` reads it.
 *
 * @example
 * const posted = await postRequest(chain, {
 *   client: wallet, model: "google/gemma-3-270m-it", servers: eligible, stake: 10_000_000n,
 *   maxPriceIn: 5_000_000n, maxPriceOut: 5_000_000n,
 *   payload: { v: 1, messages: [{ role: "user", content: "Why is the sky blue?" }], maxTokens: 200 },
 * });
 */
export async function postRequest(chain: Chain, input: PostRequestInput): Promise<PostedRequest> {
  const modelProblem = validateModelId(input.model);
  if (modelProblem)
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__INPUT__INVALID_MODEL_ID, { modelId: input.model, reason: modelProblem });
  if (input.servers.length === 0) throw new RangeError("a request needs at least one eligible server, got none");
  const fanOut = input.fanOut ?? 1;
  if (!Number.isInteger(fanOut) || fanOut < 1 || fanOut > MAX_ALLOWED_SERVERS)
    throw new RangeError(`a request names 1 to ${MAX_ALLOWED_SERVERS} servers at once (fan-out), got ${input.fanOut}`);
  const named = input.servers.slice(0, fanOut);
  const config = await fetchProtocolConfig(chain);
  if (input.stake < config.minStake)
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__INPUT__STAKE_TOO_LOW, { stake: input.stake, minStake: config.minStake });

  const nonce = input.nonce ?? randomNonce();
  const [address, bump] = await findRequestPda({ client: input.client.address, nonce });
  // The client fixes where the answer will be written: the canonical response PDA, where it reads it.
  const [, responseBump] = await findResponsePda({ request: address });
  const keys = deriveRequestKeys(await deriveKeyRoot(input.client, CHAINFERENCE_PROGRAM_ADDRESS), address);
  const prompt = encryptPrompt({ dataKey: keys.dataKey, requestAddress: address, payload: input.payload });
  if (prompt.length > config.maxPromptBytes)
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__INPUT__PROMPT_TOO_LARGE, {
      length: prompt.length,
      maxLength: config.maxPromptBytes,
    });
  const allowed = wrapDataKeyForServers({
    requestKeys: keys,
    requestAddress: address,
    servers: named.map(({ address: server, server: s }) => ({ server, keyEpoch: s.keyEpoch, x25519Key: s.x25519Key })),
  });

  const create = (bytes: Uint8Array) =>
    getCreateRequestInstructionAsync({
      client: input.client,
      request: [address, bump],
      nonce,
      bump,
      responseBump,
      model: input.model,
      revision: input.revision ?? "",
      stake: input.stake,
      responseTimeout: input.responseTimeoutSlots ?? 0n,
      maxPriceIn: input.maxPriceIn,
      maxPriceOut: input.maxPriceOut,
      minCompleted: input.minCompleted ?? 0n,
      minSuccessBps: input.minSuccessBps ?? 0,
      minAvgRating: input.minAvgRating ?? 0,
      clientKey: keys.clientKey,
      allowed,
      promptLen: prompt.length,
      prompt: bytes,
    });
  // The ciphertext is a Borsh `bytes` field: every extra byte adds one byte on the wire, once the
  // instruction data's compact-u16 length takes 2 bytes (data ≥ 128 bytes). Each room is measured with
  // a PROBE-byte payload so that is already so.
  const firstRoom = TRANSACTION_SIZE_LIMIT - measureTransactionSize([await create(new Uint8Array(PROBE))], input.client) + PROBE;
  const first = prompt.subarray(0, Math.max(0, firstRoom));
  const transactions = [await chain.sendInstructions([await create(first)], { feePayer: input.client })];
  const appendRoom =
    TRANSACTION_SIZE_LIMIT -
    measureTransactionSize(
      [getAppendPromptInstruction({ client: input.client, request: address, offset: 0, data: new Uint8Array(PROBE) })],
      input.client,
    ) +
    PROBE;
  for (let offset = first.length; offset < prompt.length; offset += appendRoom) {
    const data = prompt.subarray(offset, offset + appendRoom);
    transactions.push(
      await chain.sendInstructions([getAppendPromptInstruction({ client: input.client, request: address, offset, data })], {
        feePayer: input.client,
      }),
    );
  }
  return {
    address,
    nonce,
    keys,
    promptBytes: prompt.length,
    transactions,
    named: named.map((s) => s.address),
    standby: input.servers.slice(fanOut),
  };
}
