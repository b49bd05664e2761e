import { getAddressEncoder, type Address, type MessagePartialSigner, type ReadonlyUint8Array } from "@solana/kit";
import type { Chain } from "../chain";
import { decryptRequestHistory, deriveKeyRoot, type DecryptedRequestHistory } from "../crypto";
import {
  CHAINFERENCE_PROGRAM_ADDRESS,
  ChainferenceInstruction,
  getAppendPromptInstructionDataDecoder,
  getCreateRequestInstructionDataDecoder,
  identifyChainferenceInstruction,
  REQUEST_DISCRIMINATOR,
  RESPONSE_DISCRIMINATOR,
  RequestStatus,
  getResponseDecoder,
} from "../generated";
import {
  decodeRequestAccount,
  REQUEST_CLIENT_OFFSET,
  RESPONSE_CLIENT_OFFSET,
  type RequestAccount,
  type ResponseAccount,
} from "./request-account";

/** One past or live request of a wallet, decrypted. */
export type HistoryEntry = {
  readonly request: Address;
  readonly status: "open" | "locked" | "completed";
  readonly model: string | null;
  readonly stake: bigint | null;
  readonly decrypted: DecryptedRequestHistory;
  readonly response: ResponseAccount | null;
  /** Where the prompt came from: the live request account, transaction history, or nowhere left. */
  readonly promptSource: "account" | "transaction-history" | "unavailable";
};

/** Prompt ciphertext and terms of a request, rebuilt from its create/append_prompt transactions. */
async function promptFromTransactions(
  chain: Chain,
  request: Address,
): Promise<{ prompt: ReadonlyUint8Array; model: string; stake: bigint } | null> {
  const signatures = await chain.getSignaturesForAddress(request);
  let created: { prompt: ReadonlyUint8Array; model: string; stake: bigint; promptLen: number } | null = null;
  const appends: { offset: number; data: ReadonlyUint8Array }[] = [];
  for (const signature of signatures) {
    const tx = await chain.getTransaction(signature);
    for (const ix of tx?.instructions ?? []) {
      if (ix.programAddress !== CHAINFERENCE_PROGRAM_ADDRESS || !ix.accounts.includes(request)) continue;
      const kind = identifyChainferenceInstruction(ix.data);
      if (kind === ChainferenceInstruction.CreateRequest) {
        const data = getCreateRequestInstructionDataDecoder().decode(ix.data);
        created = { prompt: data.prompt, model: data.model, stake: data.stake, promptLen: data.promptLen };
      } else if (kind === ChainferenceInstruction.AppendPrompt) appends.push(getAppendPromptInstructionDataDecoder().decode(ix.data));
    }
  }
  if (!created) return null;
  const prompt = new Uint8Array(created.promptLen);
  prompt.set(created.prompt);
  for (const { offset, data } of appends) prompt.set(data, offset);
  return { prompt, model: created.model, stake: created.stake };
}

/**
 * A wallet's requests and answers, decrypted from chain data and the wallet alone: live request
 * accounts (open or locked), response accounts (answers kept until closed), and, for settled
 * requests, the prompt from transaction history where the endpoint keeps it. Every key comes from the wallet's
 * key root: one wallet prompt the first time per signer object, none after (`deriveKeyRoot`).
 *
 * @example
 * for (const entry of await fetchHistory(chain, wallet)) console.log(entry.decrypted.prompt?.messages.at(-1)?.content);
 */
export async function fetchHistory(chain: Chain, wallet: MessagePartialSigner): Promise<HistoryEntry[]> {
  const owner = getAddressEncoder().encode(wallet.address);
  const [requests, responses] = await Promise.all([
    chain.getProgramAccounts(CHAINFERENCE_PROGRAM_ADDRESS, {
      memcmp: [
        { offset: 0, bytes: Uint8Array.of(REQUEST_DISCRIMINATOR) },
        { offset: REQUEST_CLIENT_OFFSET, bytes: owner },
      ],
    }),
    chain.getProgramAccounts(CHAINFERENCE_PROGRAM_ADDRESS, {
      memcmp: [
        { offset: 0, bytes: Uint8Array.of(RESPONSE_DISCRIMINATOR) },
        { offset: RESPONSE_CLIENT_OFFSET, bytes: owner },
      ],
    }),
  ]);
  const live = new Map<Address, RequestAccount>(requests.map((a) => [a.address, decodeRequestAccount(a.address, a.data)]));
  const answers = new Map<Address, ResponseAccount>(
    responses.map((a) => {
      const response = { ...getResponseDecoder().decode(a.data), address: a.address };
      return [response.request, response];
    }),
  );
  const records = [];
  for (const request of new Set([...live.keys(), ...answers.keys()])) {
    const account = live.get(request);
    const fromTx = account ? null : await promptFromTransactions(chain, request);
    records.push({ request, account, response: answers.get(request) ?? null, fromTx });
  }
  const keyRoot = await deriveKeyRoot(wallet, CHAINFERENCE_PROGRAM_ADDRESS);
  const entries: HistoryEntry[] = [];
  for (const { request, account, response, fromTx } of records) {
    const promptCiphertext = account?.sealed ? account.promptCiphertext : fromTx?.prompt;
    const decrypted = decryptRequestHistory({
      keyRoot,
      requestAddress: request,
      ...(account ? { clientKey: account.clientKey } : {}),
      ...(promptCiphertext ? { promptCiphertext } : {}),
      ...(response && response.chunkCount > 0
        ? { response: { serverKey: response.serverKey, stream: response.stream, isFinal: response.isFinal } }
        : {}),
    });
    entries.push({
      request,
      status: account ? (account.status === RequestStatus.Locked ? "locked" : "open") : "completed",
      model: account?.model ?? fromTx?.model ?? null,
      stake: account?.stake ?? fromTx?.stake ?? null,
      decrypted,
      response,
      promptSource: account?.sealed ? "account" : fromTx ? "transaction-history" : "unavailable",
    });
  }
  return entries;
}
