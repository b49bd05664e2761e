import type { Address, TransactionSigner } from "@solana/kit";
import type { Chain, SentTransaction } from "../chain";
import {
  findConfigPda,
  findResponsePda,
  getCancelRequestInstruction,
  getCloseResponseInstructionAsync,
  getExpireRequestInstruction,
  getRateServerInstruction,
  getServerDecoder,
  RequestStatus,
} from "../generated";
import type { RequestAccount, ResponseAccount } from "./request-account";

/**
 * Cancels an open request: the request account closes and the whole stake and rent return.
 *
 * @example
 * await cancelRequest(chain, client, request.address);
 */
export async function cancelRequest(chain: Chain, client: TransactionSigner, request: Address): Promise<SentTransaction> {
  return chain.sendInstructions([getCancelRequestInstruction({ client, request })], { feePayer: client });
}

/**
 * Expires a request past its deadline (anyone may; `payer` only pays the fee). The stake returns
 * to the client; a locked server's expired count rises, the abandon penalty moves from its bond to
 * the client, and its partial response closes.
 *
 * @example
 * await expireRequest(chain, anyone, request);
 */
export async function expireRequest(chain: Chain, payer: TransactionSigner, request: RequestAccount): Promise<SentTransaction> {
  const locked = request.status === RequestStatus.Locked;
  let operator: Address | undefined;
  if (locked) {
    const server = await chain.getAccount(request.lockedBy);
    if (server) operator = getServerDecoder().decode(server.data).operator;
  }
  const [response] = await findResponsePda({ request: request.address });
  const [config] = await findConfigPda();
  const instruction = getExpireRequestInstruction({
    request: request.address,
    client: request.client,
    config,
    ...(locked ? { server: request.lockedBy, operator } : {}),
    ...(locked && request.hasResponse ? { response } : {}),
  });
  return chain.sendInstructions([instruction], { feePayer: payer });
}

/**
 * Rates the server that completed a request, once, 1 to 5 stars.
 *
 * @example
 * await rateServer(chain, client, response, 5);
 */
export async function rateServer(
  chain: Chain,
  client: TransactionSigner,
  response: ResponseAccount,
  rating: number,
): Promise<SentTransaction> {
  return chain.sendInstructions([getRateServerInstruction({ client, response: response.address, server: response.server, rating })], {
    feePayer: client,
  });
}

/**
 * Closes a completed response (the client any time; anyone after the grace period); its rent
 * returns to the server's operator. The answer then lives on in transaction history only.
 *
 * @example
 * await closeResponse(chain, client, response);
 */
export async function closeResponse(chain: Chain, caller: TransactionSigner, response: ResponseAccount): Promise<SentTransaction> {
  const instruction = await getCloseResponseInstructionAsync({ caller, response: response.address, operator: response.operator });
  return chain.sendInstructions([instruction], { feePayer: caller });
}
