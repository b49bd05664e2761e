/** The unit amounts are typed in (SOL or USD) and the SOL price USD values use: settings, remembered in this browser. */
import { useState } from "react";
import { useApp, type AmountUnit } from "../lib/app-context";
import { parseUsdPerSol } from "../lib/format";

const UNITS: readonly AmountUnit[] = ["SOL", "USD"];

export function CurrencySettings() {
  const { amountUnit, setAmountUnit, usdPerSol, setUsdPerSol } = useApp();
  const [rateText, setRateText] = useState(String(usdPerSol));
  const rate = parseUsdPerSol(rateText);
  return (
    <div className="currency-settings">
      <fieldset className="mode-switch">
        <legend>Amounts in</legend>
        {UNITS.map((unit) => (
          <label key={unit}>
            <input type="radio" name="amount-unit" value={unit} checked={amountUnit === unit} onChange={() => setAmountUnit(unit)} />
            {unit}
          </label>
        ))}
      </fieldset>
      <div className="field field-inline">
        <label htmlFor="usd-per-sol">1 SOL in USD</label>
        <input
          id="usd-per-sol"
          inputMode="decimal"
          value={rateText}
          onChange={(e) => {
            setRateText(e.target.value);
            const next = parseUsdPerSol(e.target.value);
            if (next !== null) setUsdPerSol(next);
          }}
          aria-invalid={rate === null}
          aria-describedby="usd-per-sol-note"
        />
        <span id="usd-per-sol-note" className="muted small">
          {rate === null ? <span className="field-error">Not a price</span> : "Your setting: no price feed is queried."}
        </span>
      </div>
    </div>
  );
}
