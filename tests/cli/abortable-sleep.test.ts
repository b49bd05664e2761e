/** The watchdog's sleep leaves no abort listener behind (no MaxListenersExceededWarning after ~30 s waiting for a lock). */
import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { abortableSleep } from "@chainference/client";

describe("abortableSleep", () => {
  it("removes its abort listener when the timer fires, so 30 waits on one signal warn nothing", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    const stop = new AbortController();
    for (let i = 0; i < 30; i++) await abortableSleep(1, stop.signal);
    await new Promise((r) => setImmediate(r));
    process.off("warning", onWarning);
    expect(getEventListeners(stop.signal, "abort")).toHaveLength(0);
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
  });

  it("resolves at once when the signal aborts, and at once when it already had", async () => {
    const stop = new AbortController();
    const started = Date.now();
    const waiting = abortableSleep(60_000, stop.signal);
    stop.abort();
    await waiting;
    await abortableSleep(60_000, stop.signal);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
