/** Which servers may answer the drafted request, and every reason the others are excluded. */
import { describeIneligibility, type Eligibility, type Ineligibility, type ServerWithAddress } from "@chainference/client";
import { AddressLink } from "../../components/links";
import { formatPrice, formatSol } from "../../lib/format";

/** The SDK's reason, with amounts in SOL where it speaks lamports. */
function describe(reason: Ineligibility): string {
  if (reason.reason === "price-above-max")
    return `charges ${formatSol(reason.priceIn)} in / ${formatSol(reason.priceOut)} out SOL per 1M tokens: above your max price`;
  if (reason.reason === "stake-below-prompt-cost")
    return `your stake (${formatSol(reason.stake)} SOL) does not cover the prompt (${formatSol(reason.promptCost)} SOL)`;
  return describeIneligibility(reason);
}

export type Verdict = { readonly entry: ServerWithAddress; readonly verdict: Eligibility };

export function EligibilityPanel({ verdicts, model }: { verdicts: readonly Verdict[]; model: string }) {
  const eligible = verdicts.filter((v) => v.verdict.eligible);
  const excluded = verdicts.filter((v) => !v.verdict.eligible && v.entry.server.models.some((m) => m.hfId === model));
  const others = verdicts.length - eligible.length - excluded.length;
  return (
    <section className="eligibility" aria-labelledby="eligibility-title" data-testid="eligibility">
      <h3 id="eligibility-title">
        {eligible.length === 0 ? "No eligible server" : `${eligible.length} eligible server${eligible.length === 1 ? "" : "s"}`}
      </h3>
      <ul className="server-verdicts">
        {eligible.map(({ entry, verdict }) =>
          verdict.eligible ? (
            <li key={entry.address} className="verdict ok">
              <span className="dot dot-ok" aria-hidden /> <AddressLink address={entry.address} />
              <span className="muted">
                {formatPrice(verdict.offer.priceIn)} in · {formatPrice(verdict.offer.priceOut)} out per 1M tokens
              </span>
            </li>
          ) : null,
        )}
        {excluded.map(({ entry, verdict }) =>
          verdict.eligible ? null : (
            <li key={entry.address} className="verdict excluded" data-testid="excluded-server">
              <span className="dot dot-bad" aria-hidden /> <AddressLink address={entry.address} />
              <span className="reasons">{verdict.reasons.map(describe).join("; ")}</span>
            </li>
          ),
        )}
      </ul>
      {others > 0 ? (
        <p className="muted small">
          {others} other server{others === 1 ? "" : "s"} do not serve {model}.
        </p>
      ) : null}
    </section>
  );
}
