import { useApp } from "../lib/app-context";
import { formatSol, formatUsd } from "../lib/format";

/** Lamports as SOL with the USD value beside it. */
export function Amount({ lamports, testId }: { lamports: bigint; testId?: string }) {
  const { usdPerSol } = useApp();
  return (
    <span className="amount" data-testid={testId} data-lamports={lamports.toString()}>
      <span className="sol">{formatSol(lamports)} SOL</span> <span className="usd">≈ {formatUsd(lamports, usdPerSol)}</span>
    </span>
  );
}
