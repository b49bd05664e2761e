/**
 * The provider loop's parts on their own (node/src/provider: poll-scheduler, skip-memos, speed-averages). They are
 * internal to @chainference/node, so this file imports them by path.
 */
import { describe, expect, it } from "vitest";

import type { Address } from "@solana/kit";
import { defaultServedModel, type NodeEvent } from "@chainference/node";

// By path on purpose: these parts are unexported internals of the provider loop, unit-tested here on their own.
import { createPollScheduler } from "../../node/src/provider/poll-scheduler";
import { createSkipMemos, nextSkipMemo } from "../../node/src/provider/skip-memos";
import { createSpeedAverages, nextSpeedAverage } from "../../node/src/provider/speed-averages";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("poll scheduler", () => {
  it("polls again at once when woken during a poll, and not before the interval otherwise", async () => {
    // Given a scheduler with a long interval whose first poll waits for us
    let polls = 0;
    let release: () => void = () => {};
    const scheduler = createPollScheduler({
      poll: () => {
        polls += 1;
        return polls === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
      },
      intervalMs: 60_000,
      onError: () => {},
    });
    scheduler.start();
    // When a notification arrives during the first poll, then the poll ends
    scheduler.wake();
    release();
    await tick();
    await tick();
    // Then a second poll ran at once, and no third one until the interval
    expect(polls).toBe(2);
    await tick();
    expect(polls).toBe(2);
    scheduler.stop();
    await scheduler.idle();
  });

  it("reports a repeated failure once, and stops taking requests once stopped", async () => {
    const errors: string[] = [];
    const accepting: boolean[] = [];
    const scheduler = createPollScheduler({
      poll: async (isAccepting) => {
        accepting.push(isAccepting());
        throw new Error("rpc down");
      },
      intervalMs: 1,
      onError: (message) => errors.push(message),
    });
    scheduler.start();
    await new Promise((resolve) => setTimeout(resolve, 30));
    scheduler.stop();
    await scheduler.idle();
    const polls = accepting.length;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(polls).toBeGreaterThan(1);
    expect(errors).toEqual(["rpc down"]);
    expect(accepting.length).toBe(polls);
    scheduler.wake();
    await tick();
    expect(accepting.length).toBe(polls);
  });
});

describe("skip memos", () => {
  const request = "11111111111111111111111111111112" as Address;

  it("reports each reason once per request, never prompt-not-sealed, and marks permanent reasons", () => {
    const events: NodeEvent[] = [];
    const memos = createSkipMemos((event) => events.push(event));
    memos.note(request, { take: false, reason: "prompt-not-sealed", detail: "" });
    memos.note(request, { take: false, reason: "at-capacity", detail: "4 of 4" });
    memos.note(request, { take: false, reason: "at-capacity", detail: "4 of 4" });
    expect(memos.get(request)?.permanent).toBe(false);
    memos.note(request, { take: false, reason: "price-above-max", detail: "" });
    expect(events.map((e) => (e.type === "skipped" ? e.reason : e.type))).toEqual(["at-capacity", "price-above-max"]);
    expect(memos.get(request)?.permanent).toBe(true);
    memos.keepOnly(new Set());
    expect(memos.get(request)).toBeUndefined();
  });

  it("looks again at a request that did not name the server (a hand-off may name it later)", () => {
    const { memo, report } = nextSkipMemo(undefined, { take: false, reason: "not-allowed", detail: "" });
    expect(report).toBe(true);
    expect(memo.permanent).toBe(false);
    expect(nextSkipMemo(memo, { take: false, reason: "not-allowed", detail: "" }).report).toBe(false);
  });

  it("keeps the opened prompt across later skips", () => {
    const opened = { marker: "opened" } as unknown as NonNullable<Parameters<typeof nextSkipMemo>[1]["opened"]>;
    const first = nextSkipMemo(undefined, { take: false, reason: "at-capacity", detail: "", opened });
    const second = nextSkipMemo(first.memo, { take: false, reason: "deadline-too-short", detail: "" });
    expect(second.memo.opened).toBe(opened);
    expect(second.report).toBe(true);
  });
});

describe("speed averages", () => {
  it("answers the configured estimate, then the first measurement, then a moving average", () => {
    const model = defaultServedModel();
    const speeds = createSpeedAverages(10);
    expect(speeds.tokensPerSecond(model)).toBe(10);
    speeds.record(model, 20);
    expect(speeds.tokensPerSecond(model)).toBe(20);
    speeds.record(model, 30);
    expect(speeds.tokensPerSecond(model)).toBeCloseTo(nextSpeedAverage(20, 30));
    expect(nextSpeedAverage(20, 30)).toBeCloseTo(23);
  });
});
