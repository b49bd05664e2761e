/**
 * The parts of idle-time serving, each on its own: serve hours, the /proc/stat and nvidia-smi readings, the gate's
 * decisions over a synthetic load and clock, the serving/paused time in the metrics, the config fields, and one
 * real CPU burner process seen by the machine load source.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createServerKeyring, generateX25519KeyPair, rotateServerKeyring } from "@chainference/client";
import {
  CHAINFERENCE_ERROR__NODE__CONFIG_INVALID,
  createMachineLoadSource,
  createNodeMetrics,
  createServingGate,
  isWithinServeHours,
  keepFromEpoch,
  otherCpuPercent,
  parseNodeConfig,
  parseNvidiaSmiUtilization,
  parseProcStat,
  parseServeHours,
  pauseServing,
  readPauseFile,
  resumeServing,
  type IdlePolicy,
  type MachineLoad,
  type ServingState,
} from "@chainference/node";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "chainference-idle-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const at = (hours: number, minutes = 0) => new Date(2026, 11, 2, hours, minutes);

describe("serve hours", () => {
  it("crosses midnight, excludes the end, and takes several windows", () => {
    const nights = parseServeHours("22:00-07:00");
    expect([at(22), at(23, 59), at(0), at(6, 59)].map((d) => isWithinServeHours(nights, d))).toEqual([true, true, true, true]);
    expect([at(7), at(12), at(21, 59)].map((d) => isWithinServeHours(nights, d))).toEqual([false, false, false]);
    const split = parseServeHours("09:00-12:00, 14:00-18:00");
    expect([at(10), at(13), at(15)].map((d) => isWithinServeHours(split, d))).toEqual([true, false, true]);
    expect(isWithinServeHours(parseServeHours("00:00-24:00"), at(23, 59))).toBe(true);
  });

  it.each([
    ["22-07", /"22" is not a time of day/],
    ["10:00-10:00", /is empty/],
    ["25:00-07:00", /"25:00" is not a time of day/],
    ["22:00", /must be a window like 22:00-07:00/],
    ["", /must be windows/],
  ])("refuses %j with a message naming the bad part", (text, message) => {
    expect(() => parseServeHours(text)).toThrow(message);
  });
});

describe("load readings", () => {
  it("reads busy and total ticks from /proc/stat and subtracts the node's own share", () => {
    const before = parseProcStat("cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 2 3 4\n")!;
    const after = parseProcStat("cpu  250 0 150 900 100 0 0 0 0 0\n")!;
    expect(before).toEqual({ busy: 200, total: 1000 });
    // 200 of 400 ticks busy = 50 %; the node itself used 20 % of the machine: others 30 %
    expect(otherCpuPercent(before, after, 0.2)).toBeCloseTo(30);
    expect(otherCpuPercent(before, after, 0.9)).toBe(0);
    expect(parseProcStat("intr 1 2 3")).toBeNull();
  });

  it("takes the busiest GPU from nvidia-smi's CSV", () => {
    expect(parseNvidiaSmiUtilization("12\n87\n")).toBe(87);
    expect(parseNvidiaSmiUtilization("")).toBeNull();
  });

  it("sees a real CPU burner process as load from other work", async () => {
    // Given the machine load source and a child process spinning one core
    const sample = createMachineLoadSource({ gpu: false });
    expect((await sample()).cpuPercent).toBeNull();
    const burner = spawn(process.execPath, ["-e", "const end = Date.now() + 10000; while (Date.now() < end) {}"], { stdio: "ignore" });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await sample();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      // When sampled a second later
      const { cpuPercent } = await sample();
      // Then at least a good part of one of the machine's cores shows as other programs' load
      const { availableParallelism } = await import("node:os");
      expect(cpuPercent).toBeGreaterThan(60 / availableParallelism());
    } finally {
      burner.kill();
    }
  }, 20_000);
});

describe("serving gate", () => {
  const policy = (overrides: Partial<IdlePolicy> = {}): IdlePolicy => ({
    cpuBelowPercent: 30,
    gpuBelowPercent: null,
    serveHours: null,
    sampleIntervalMs: 1_000,
    resumeAfterMs: 5_000,
    ...overrides,
  });
  const setup = (p: IdlePolicy, ownWork = false) => {
    const clock = { now: at(12) };
    const load: { value: MachineLoad } = { value: { cpuPercent: 0, gpuPercent: null } };
    const changes: ServingState[] = [];
    const gate = createServingGate({
      policy: p,
      keyringPath: join(dir, `keyring-${Math.random()}.json`),
      loadSource: async () => load.value,
      ownWorkInFlight: () => ownWork,
      onChange: (s) => changes.push(s),
      now: () => clock.now,
    });
    const advance = (ms: number) => (clock.now = new Date(clock.now.getTime() + ms));
    return { gate, load, clock, changes, advance };
  };

  it("pauses at once when other work passes the threshold and resumes only after the load stayed low", async () => {
    const { gate, load, changes, advance } = setup(policy());
    expect((await gate.refresh()).paused).toBe(false);
    load.value = { cpuPercent: 45, gpuPercent: null };
    expect(await gate.refresh()).toMatchObject({ paused: true, reason: "CPU busy with other work: 45 % (serves below 30 %)" });
    expect(gate.acceptingWork()).toBe(false);
    load.value = { cpuPercent: 10, gpuPercent: null };
    advance(4_000);
    expect((await gate.refresh()).paused).toBe(true);
    advance(1_000);
    expect((await gate.refresh()).paused).toBe(false);
    expect(changes.map((c) => c.paused)).toEqual([true, false]);
  });

  it("keeps its verdict while a reading is missing, and judges a GPU only while the node holds no work", async () => {
    const first = setup(policy());
    first.load.value = { cpuPercent: null, gpuPercent: null };
    expect((await first.gate.refresh()).paused).toBe(false);
    const busyNode = setup(policy({ cpuBelowPercent: null, gpuBelowPercent: 50 }), true);
    busyNode.load.value = { cpuPercent: null, gpuPercent: 95 };
    expect((await busyNode.gate.refresh()).paused).toBe(false);
    const idleNode = setup(policy({ cpuBelowPercent: null, gpuBelowPercent: 50 }), false);
    idleNode.load.value = { cpuPercent: null, gpuPercent: 95 };
    expect(await idleNode.gate.refresh()).toMatchObject({ paused: true, reason: "GPU busy: 95 % (serves below 50 %)" });
  });

  it("serves only inside the serve hours, and pauses by hand through the pause file", async () => {
    const { gate, clock } = setup(policy({ cpuBelowPercent: null, serveHours: parseServeHours("22:00-07:00") }));
    expect(await gate.refresh()).toMatchObject({ paused: true, reason: "outside serve hours 22:00-07:00" });
    clock.now = at(23);
    expect((await gate.refresh()).paused).toBe(false);
    const keyringPath = join(dir, "hand.json");
    const gate2 = createServingGate({
      policy: policy({ cpuBelowPercent: null }),
      keyringPath,
      loadSource: async () => ({ cpuPercent: 0, gpuPercent: null }),
      ownWorkInFlight: () => false,
      onChange: () => {},
    });
    await pauseServing(keyringPath, "backup running");
    expect(await readPauseFile(keyringPath)).toBe("backup running");
    expect(await gate2.refresh()).toMatchObject({ paused: true, reason: "paused by the operator: backup running" });
    expect(await resumeServing(keyringPath)).toBe(true);
    expect(await resumeServing(keyringPath)).toBe(false);
    expect((await gate2.refresh()).paused).toBe(false);
  });
});

describe("metrics of serving time", () => {
  it("counts serving and paused time and earnings per serving hour", () => {
    let now = 0;
    const metrics = createNodeMetrics(() => now);
    now = 1_800_000; // 30 min serving
    metrics.record({ type: "serving-paused", reason: "CPU busy" });
    now = 3_600_000; // 30 min paused
    metrics.record({ type: "serving-resumed" });
    metrics.record({
      type: "completed",
      request: "11111111111111111111111111111111" as never,
      tokensIn: 1,
      tokensOut: 1,
      text: "",
      finishReason: "stop",
      earnedLamports: 5_000n,
      timeToFirstChunkMs: null,
      firstChunkSlots: null,
      tokensPerSecond: null,
      durationMs: 1,
      fee: 0n,
    });
    now = 5_400_000; // 30 more min serving
    expect(metrics.snapshot()).toMatchObject({ servingMs: 3_600_000, pausedMs: 1_800_000, paused: false, lamportsPerServingHour: 5_000 });
    expect(metrics.renderPrometheus()).toContain("chainference_node_serving_seconds_total 3600");
  });
});

describe("config", () => {
  it("reads the idle policy and the key rotation interval, and names a bad field", () => {
    const config = parseNodeConfig({ keyRotationIntervalMs: 604_800_000, idle: { cpuBelowPercent: 30, serveHours: "22:00-07:00" } });
    expect(config.keyRotationIntervalMs).toBe(604_800_000);
    expect(config.idle).toMatchObject({ cpuBelowPercent: 30, gpuBelowPercent: null, serveHours: { text: "22:00-07:00" } });
    const bad = (doc: unknown, reason: RegExp) =>
      expect(() => parseNodeConfig(doc)).toThrow(
        expect.objectContaining({ code: CHAINFERENCE_ERROR__NODE__CONFIG_INVALID, message: expect.stringMatching(reason) }),
      );
    bad({ idle: { cpuBelowPercent: 130 } }, /idle.cpuBelowPercent must be a percentage/);
    bad({ idle: { serveHours: "nights" } }, /idle.serve hours "nights"/);
    bad({ idle: { when: 1 } }, /unknown field "when" in idle/);
    bad({ keyRotationIntervalMs: 10 }, /keyRotationIntervalMs must be an integer/);
  });
});

describe("key erasure", () => {
  it("keeps the oldest epoch an open session still names", () => {
    let keyring = createServerKeyring({ epoch: 0, secretKey: generateX25519KeyPair().secretKey });
    for (const epoch of [1, 2, 3]) keyring = rotateServerKeyring(keyring, { secretKey: generateX25519KeyPair().secretKey, epoch });
    expect(keepFromEpoch(keyring, [])).toBe(3);
    expect(keepFromEpoch(keyring, [2, 3])).toBe(2);
  });
});
