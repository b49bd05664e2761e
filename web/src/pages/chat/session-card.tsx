/** The open session (server, deposit, spent, left) with its Close button, then each step of the close as it happens. */
import { Amount } from "../../components/amount";
import { AddressLink, TxLink } from "../../components/links";
import { ErrorNotice } from "../../components/notice";
import type { UserError } from "../../lib/errors";
import { slotsAgo } from "../../lib/format";
import type { AppSession, CloseStep } from "./session-mode";

export type CloseState = {
  readonly session: AppSession;
  readonly steps: readonly CloseStep[];
  readonly done: boolean;
  readonly error?: UserError;
};

export function SessionCard({
  session,
  closing,
  open,
  busy,
  onClose,
}: {
  session: AppSession;
  closing: CloseState | null;
  open: boolean;
  busy: boolean;
  onClose(): void;
}) {
  const spent = session.progress.committed.lamports;
  return (
    <section className="session-card" aria-label="Your session" data-testid="session-card">
      <div className="session-head">
        <h3>{closing && !closing.error ? (closing.done ? "Session closed" : "Closing the session") : "Session open"}</h3>
        {open && (!closing || closing.error) ? (
          <button className="button button-small" type="button" onClick={onClose} disabled={busy} data-testid="close-session">
            Close session
          </button>
        ) : null}
      </div>
      <dl className="session-grid">
        <div>
          <dt>Server</dt>
          <dd>
            <AddressLink address={session.server} />
          </dd>
        </div>
        <div>
          <dt>Session</dt>
          <dd>
            <AddressLink address={session.session} />
          </dd>
        </div>
        <div>
          <dt>Deposit</dt>
          <dd>
            <Amount lamports={session.deposit} testId="session-deposit" />
          </dd>
        </div>
        <div>
          <dt>
            Paid by voucher ({session.progress.committed.answers} answer{session.progress.committed.answers === 1 ? "" : "s"})
          </dt>
          <dd>
            <Amount lamports={spent} testId="session-spent" />
          </dd>
        </div>
        {closing?.done ? null : (
          <div>
            <dt>Left</dt>
            <dd>
              <Amount lamports={session.deposit - spent} />
            </dd>
          </div>
        )}
        <div>
          <dt>Opened</dt>
          <dd>
            <TxLink signature={session.openTransaction} />
          </dd>
        </div>
      </dl>
      {closing ? (
        <ol className="close-steps" data-testid="close-steps">
          {closing.steps.map((step, i) => (
            <li key={`${step.type}-${i}`} data-step={step.type}>
              <CloseStepText step={step} />
            </li>
          ))}
          {closing.steps.length === 0 && !closing.error ? <li>Asking the server to settle and close the session…</li> : null}
        </ol>
      ) : null}
      {closing?.error ? <ErrorNotice error={closing.error} /> : null}
    </section>
  );
}

function CloseStepText({ step }: { step: CloseStep }) {
  switch (step.type) {
    case "forcing":
      return <>The server did not close the session: requesting the close from your wallet…</>;
    case "fallback":
      return (
        <span data-testid="close-fallback">The server did not close the session ({step.reason}): closing it from your wallet instead.</span>
      );
    case "requested":
      return (
        <>
          Close requested (<TxLink signature={step.transaction} />
          ): the server may settle your last voucher until slot {step.deadlineSlot.toString()}.
        </>
      );
    case "settled":
      return (
        <>
          The server settled <Amount lamports={step.settled} testId="close-settled" /> on chain.
        </>
      );
    case "waiting":
      return <>Refund possible in about {slotsAgo(step.slotsLeft)} (the server's grace window)…</>;
    case "closed":
      return (
        <span data-testid="session-closed" data-path={step.path}>
          {step.path === "cooperative" ? "Closed by the server in one transaction" : "Closed"}
          {step.transaction ? (
            <>
              {" "}
              (<TxLink signature={step.transaction} />)
            </>
          ) : step.path === "forced" ? (
            " (it was already closed)"
          ) : null}
          : paid <Amount lamports={step.settled} testId="closed-paid" />, refunded <Amount lamports={step.refund} testId="closed-refund" />.
        </span>
      );
  }
}
