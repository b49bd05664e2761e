/**
 * An amount typed in the app's unit (SOL or USD, a remembered setting) and held in lamports: the other unit is
 * shown beside it, and the text follows the lamports when the unit or the SOL price changes.
 */
import { useEffect, useRef, useState } from "react";
import { useApp } from "../lib/app-context";
import { formatSol, formatUsdInput, parseSol, parseUsd } from "../lib/format";
import { Amount } from "./amount";

/** `undefined`: the field is empty (the caller's default applies); `null`: not an amount. */
export type AmountValue = bigint | null | undefined;

export function AmountInput({
  id,
  value,
  onChange,
  placeholder,
}: {
  id: string;
  value: AmountValue;
  onChange(value: AmountValue): void;
  /** Shown (in the current unit) while the field is empty. */
  placeholder?: bigint;
}) {
  const { amountUnit, usdPerSol } = useApp();
  const format = (lamports: bigint) => (amountUnit === "USD" ? formatUsdInput(lamports, usdPerSol) : formatSol(lamports));
  const [text, setText] = useState(() => (typeof value === "bigint" ? format(value) : ""));
  const latest = useRef(value);
  latest.current = value;
  // A new unit or SOL price: show the same lamports in it (what the user typed in the old unit stays the amount).
  useEffect(() => {
    if (typeof latest.current === "bigint") setText(format(latest.current));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [amountUnit, usdPerSol]);
  const shown = value ?? placeholder;
  return (
    <>
      <div className="amount-input">
        <input
          id={id}
          inputMode="decimal"
          value={text}
          placeholder={placeholder === undefined ? undefined : format(placeholder)}
          onChange={(e) => {
            const next = e.target.value;
            setText(next);
            onChange(next.trim() === "" ? undefined : amountUnit === "USD" ? parseUsd(next, usdPerSol) : parseSol(next));
          }}
          aria-invalid={value === null}
        />
        <span className="amount-unit" aria-hidden>
          {amountUnit}
        </span>
      </div>
      {value === null ? (
        <span className="field-error">Not an amount of {amountUnit}</span>
      ) : shown !== undefined ? (
        <Amount lamports={shown} testId={`${id}-amount`} />
      ) : null}
    </>
  );
}
