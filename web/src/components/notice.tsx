import type { ReactNode } from "react";
import type { UserError } from "../lib/errors";

/** An error (with what to do) or an informational note. */
export function Notice({ tone = "info", children }: { tone?: "info" | "error" | "success"; children: ReactNode }) {
  return (
    <div className={`notice notice-${tone}`} role={tone === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

export function ErrorNotice({ error }: { error: UserError }) {
  return (
    <Notice tone="error">
      <strong data-testid="error-title">{error.title}</strong>
      {error.hint ? <div className="hint">{error.hint}</div> : null}
    </Notice>
  );
}
