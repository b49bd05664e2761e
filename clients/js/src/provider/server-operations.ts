import type { Address, Instruction, ReadonlyUint8Array, TransactionSigner } from "@solana/kit";
import type { Chain, SentTransaction } from "../chain";
import {
  findFeeVaultPda,
  findResponsePda,
  findServerPda,
  findConfigPda,
  getAppendResponseInstructionAsync,
  getCloseResponseInstruction,
  getCompleteRequestInstructionAsync,
  getLockRequestInstructionAsync,
  getRegisterServerInstructionAsync,
  getServerDecoder,
  getUpdateServerInstructionAsync,
  type ModelInputArgs,
  type Server,
} from "../generated";
import type { RequestAccount } from "../requests/request-account";

/** What a server publishes on-chain. */
export type ServerListing = {
  readonly x25519Key: ReadonlyUint8Array;
  readonly endpoint: string;
  readonly models: readonly ModelInputArgs[];
  readonly active?: boolean;
};

/**
 * Registers the operator's server, or updates it to `listing` when it exists (key, endpoint,
 * models, prices, active flag). Returns the server account address and the transaction.
 *
 * @example
 * const { server } = await publishServer(chain, operator, { x25519Key, endpoint: "", models });
 */
export async function publishServer(
  chain: Chain,
  operator: TransactionSigner,
  listing: ServerListing,
): Promise<{ server: Address; sent: SentTransaction; created: boolean }> {
  const [server] = await findServerPda({ operator: operator.address });
  const existing = await chain.getAccount(server);
  const models = [...listing.models];
  const instruction = existing
    ? await getUpdateServerInstructionAsync({
        operator,
        x25519Key: listing.x25519Key,
        endpoint: listing.endpoint,
        active: listing.active ?? true,
        models,
      })
    : await getRegisterServerInstructionAsync({ operator, x25519Key: listing.x25519Key, endpoint: listing.endpoint, models });
  const sent = await chain.sendInstructions([instruction], { feePayer: operator });
  return { server, sent, created: !existing };
}

/** Fetches and decodes the operator's server account; null when not registered. */
export async function fetchOwnServer(chain: Chain, operator: Address): Promise<{ address: Address; server: Server } | null> {
  const [address] = await findServerPda({ operator });
  const account = await chain.getAccount(address);
  return account ? { address, server: getServerDecoder().decode(account.data) } : null;
}

/**
 * Locks an open request for the operator's server, naming `x25519Key`, the server's current key (the
 * transaction records it, so the response key can be derived from history once the accounts are closed).
 * Fails with the program's named error when the key is not the server's current one, the server is not
 * allowed, filters reject it, or another server won the race.
 *
 * @example
 * await lockRequest(chain, operator, request.address, getCurrentServerKey(keyring).publicKey);
 */
export async function lockRequest(
  chain: Chain,
  operator: TransactionSigner,
  request: Address,
  x25519Key: ReadonlyUint8Array,
): Promise<SentTransaction> {
  return chain.sendInstructions([await getLockRequestInstructionAsync({ operator, request, x25519Key })], { feePayer: operator });
}

/** What `complete_request` reads of the request it settles. */
export type SettledRequest = Pick<RequestAccount, "address" | "client" | "feeShard">;

/** The counts `complete_request` settles with. */
export type SettlementCounts = { readonly tokensIn: number; readonly tokensOut: number };

/** One response chunk, and what may share its transaction. */
export type ResponseChunkInput = {
  readonly request: Address;
  readonly chunkIndex: number;
  readonly isFinal: boolean;
  readonly ciphertext: ReadonlyUint8Array;
  readonly reserveBytes?: number;
  /** Lock the (open) request in the same transaction, before the chunk, naming the server's current X25519 key: the first chunk only. */
  readonly lock?: { readonly x25519Key: ReadonlyUint8Array };
  /** Settle the request in the same transaction, after the chunk: the final chunk only. */
  readonly complete?: { readonly request: SettledRequest } & SettlementCounts;
  /**
   * Close these earlier responses of the operator's server (completed, past the Config's grace period) after the
   * settlement, in the transaction's spare room: their rent returns to the operator without a transaction of
   * their own. With `complete` only.
   */
  readonly closeResponses?: readonly Address[];
};

/**
 * The instructions of one chunk's transaction: `lock_request` (with `lock`), `append_response`, then
 * `complete_request` (with `complete`) and a `close_response` per `closeResponses`. The program accepts the
 * server account writable in `append_response`, so lock and settlement share the chunk's transaction (one fee
 * instead of two).
 *
 * @example
 * const instructions = await responseChunkInstructions(operator, { request, chunkIndex: 0, isFinal: false, ciphertext, lock: { x25519Key } });
 */
export async function responseChunkInstructions(operator: TransactionSigner, input: ResponseChunkInput): Promise<Instruction[]> {
  if (input.lock && input.chunkIndex !== 0) throw new Error("only the first chunk (index 0) can carry the lock");
  if (input.complete && !input.isFinal) throw new Error("only the final chunk can carry the settlement");
  if (input.closeResponses?.length && !input.complete) throw new Error("only the settlement's transaction carries closes");
  const append = await getAppendResponseInstructionAsync({
    operator,
    request: input.request,
    response: (await findResponsePda({ request: input.request }))[0],
    chunkIndex: input.chunkIndex,
    isFinal: input.isFinal,
    reserveBytes: input.reserveBytes ?? 0,
    ciphertext: input.ciphertext,
  });
  return [
    ...(input.lock ? [await getLockRequestInstructionAsync({ operator, request: input.request, x25519Key: input.lock.x25519Key })] : []),
    append,
    ...(input.complete ? [await completeRequestInstruction(operator, input.complete)] : []),
    ...(await closeResponseInstructions(operator, input.closeResponses ?? [])),
  ];
}

/**
 * `close_response` instructions of the operator's `responses` (completed, past the Config's grace period), the
 * operator as caller and rent receiver, the config PDA shared: the close sweep's transactions and the spare room of
 * a settlement's transaction.
 *
 * @example
 * const instructions = await closeResponseInstructions(operator, [responseA, responseB]);
 */
export async function closeResponseInstructions(operator: TransactionSigner, responses: readonly Address[]): Promise<Instruction[]> {
  if (responses.length === 0) return [];
  const [config] = await findConfigPda();
  return responses.map((response) => getCloseResponseInstruction({ caller: operator, response, operator: operator.address, config }));
}

/**
 * Appends one encrypted chunk to the request's response (the first call creates the response
 * account, funding `reserveBytes` of stream so later appends need no System CPI), with the lock
 * (first chunk) or the settlement (final chunk) in the same transaction when asked. The program
 * creates the response at the address the request names (`response_bump`); the node only locks
 * requests that name the canonical response PDA, which is passed here.
 *
 * @example
 * await appendResponseChunk(chain, operator, { request, chunkIndex: 0, isFinal: false, ciphertext, reserveBytes: 4096, lock: { x25519Key } });
 */
export async function appendResponseChunk(chain: Chain, operator: TransactionSigner, input: ResponseChunkInput): Promise<SentTransaction> {
  return chain.sendInstructions(await responseChunkInstructions(operator, input), { feePayer: operator });
}

/** The `complete_request` instruction for `request` with `counts`. */
async function completeRequestInstruction(
  operator: TransactionSigner,
  input: { readonly request: SettledRequest } & SettlementCounts,
): Promise<Instruction> {
  const [feeVault] = await findFeeVaultPda({ shard: input.request.feeShard });
  return getCompleteRequestInstructionAsync({
    operator,
    request: input.request.address,
    client: input.request.client,
    feeVault,
    tokensIn: input.tokensIn,
    tokensOut: input.tokensOut,
  });
}

/**
 * Settles a request the operator's server answered: pays the server, the fee vault, refunds the client.
 *
 * @example
 * await completeRequest(chain, operator, { request, tokensIn: 42, tokensOut: 310 });
 */
export async function completeRequest(
  chain: Chain,
  operator: TransactionSigner,
  input: { readonly request: RequestAccount } & SettlementCounts,
): Promise<SentTransaction> {
  return chain.sendInstructions([await completeRequestInstruction(operator, input)], { feePayer: operator });
}
