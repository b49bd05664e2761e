import type { TransactionSigner } from "@solana/kit";
import { SessionStatus, type Chain } from "@chainference/client";
import {
  fetchSessionAccount,
  requireSessionAccount,
  settleAndCloseSession,
  settleSession,
  type SessionAccount,
} from "@chainference/client/sessions";

import type { SessionLedger, SessionView } from "./session-ledger";

const STATUS = { [SessionStatus.Open]: "open", [SessionStatus.Closing]: "closing", [SessionStatus.Closed]: "closed" } as const;

/**
 * The node's view of a Session account.
 *
 * @example
 * const view = toSessionView(await requireSessionAccount(chain, address));
 */
export function toSessionView(account: SessionAccount): SessionView {
  return {
    address: account.address,
    status: STATUS[account.status],
    client: account.client,
    server: account.server,
    voucherSigner: account.voucherSigner,
    modelId: account.model,
    revision: account.revision,
    priceIn: account.priceIn,
    priceOut: account.priceOut,
    keyEpoch: account.keyEpoch,
    deposit: account.deposit,
    settledLamports: account.settled,
    settleDeadlineSlot: account.settleDeadlineSlot,
  };
}

/**
 * Sessions on the real program: reads Session accounts and sends the operator's settle and cooperative close.
 *
 * @example
 * const ledger = createChainSessionLedger({ chain, operator });
 */
export function createChainSessionLedger({ chain, operator }: { chain: Chain; operator: TransactionSigner }): SessionLedger {
  return {
    async fetchSession(session) {
      const account = await fetchSessionAccount(chain, session);
      return account ? toSessionView(account) : null;
    },
    getSlot: () => chain.getSlot(),
    async settle(view, signed) {
      const sent = await settleSession(chain, operator, { session: await requireSessionAccount(chain, view.address), signed });
      return { signature: sent.signature, fee: sent.fee };
    },
    async settleAndClose(view, signed) {
      const sent = await settleAndCloseSession(chain, operator, { session: await requireSessionAccount(chain, view.address), signed });
      return { signature: sent.signature, fee: sent.fee };
    },
  };
}
