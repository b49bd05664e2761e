import type { InferenceBackend } from "../backends/inference-backend";
import type { NodeEvent, SkipReason } from "../provider/node-events";

/** A served model and the backend that runs it, as the metrics see them. */
export type MetricsBackend = Readonly<{ model: string; backend: InferenceBackend }>;

/** Counters and summaries of a running node (all since start). */
export type NodeMetricsSnapshot = Readonly<{
  locked: number;
  completed: number;
  abandoned: number;
  /** Requests found too late at start and left for `expire_request`. */
  leftToExpire: number;
  skipped: Readonly<Partial<Record<SkipReason, number>>>;
  chunksAppended: number;
  sendRetries: number;
  tokensIn: number;
  tokensOut: number;
  lamportsEarned: bigint;
  /** Transaction fees the operator paid (register/update, lock, append, complete, key rotation, close sweep). */
  feesPaid: bigint;
  activeRequests: number;
  /** Response accounts the close sweep closed, and the rent they returned to the operator. */
  responsesClosed: number;
  rentRecovered: bigint;
  timeToFirstChunkMs: Readonly<{ count: number; sum: number; last: number | null }>;
  /** Σ answer tokens / Σ generation seconds over completed requests, and the last request's rate. */
  tokensPerSecond: Readonly<{ average: number | null; last: number | null }>;
  /** Time spent taking work (serving) and paused by the idle policy, serve hours or the operator, since start. */
  servingMs: number;
  pausedMs: number;
  paused: boolean;
  /** Lamports earned per hour of serving time (null before any serving time). */
  lamportsPerServingHour: number | null;
}>;

/** A node's metrics: fed with its events, read as a snapshot or as Prometheus text. */
export type NodeMetrics = Readonly<{
  record(event: NodeEvent): void;
  setActiveRequests(count: number): void;
  /** The backends to report (device, layers offloaded, slots busy and waiting) as `chainference_node_backend_*`. */
  setBackends(backends: readonly MetricsBackend[]): void;
  snapshot(): NodeMetricsSnapshot;
  /** Prometheus text exposition format (version 0.0.4). */
  renderPrometheus(): string;
}>;

/**
 * Creates the metrics of one node.
 *
 * @example
 * const metrics = createNodeMetrics();
 * node.events.subscribe(metrics.record);
 * console.log(metrics.renderPrometheus());
 */
export function createNodeMetrics(now: () => number = Date.now): NodeMetrics {
  let locked = 0;
  let completed = 0;
  let abandoned = 0;
  let leftToExpire = 0;
  const skipped: Partial<Record<SkipReason, number>> = {};
  let chunksAppended = 0;
  let sendRetries = 0;
  let tokensIn = 0;
  let tokensOut = 0;
  let lamportsEarned = 0n;
  let feesPaid = 0n;
  let activeRequests = 0;
  let responsesClosed = 0;
  let rentRecovered = 0n;
  const ttfc = { count: 0, sum: 0, last: null as number | null };
  let generatedTokens = 0;
  let generationSeconds = 0;
  let lastTps: number | null = null;
  let backends: readonly MetricsBackend[] = [];
  const time = { servingMs: 0, pausedMs: 0, paused: false, sinceMs: now() };
  const elapsed = (paused: boolean): number => (time.paused === paused ? now() - time.sinceMs : 0);
  const switchTo = (paused: boolean): void => {
    const at = now();
    if (time.paused) time.pausedMs += at - time.sinceMs;
    else time.servingMs += at - time.sinceMs;
    time.paused = paused;
    time.sinceMs = at;
  };

  const record = (event: NodeEvent): void => {
    switch (event.type) {
      case "started":
      case "key-rotated":
      case "bonded":
      case "server-active":
        feesPaid += event.fee;
        break;
      case "serving-paused":
        switchTo(true);
        break;
      case "serving-resumed":
        switchTo(false);
        break;
      case "locked":
        locked += 1;
        feesPaid += event.fee;
        break;
      case "skipped":
        skipped[event.reason] = (skipped[event.reason] ?? 0) + 1;
        break;
      case "chunk-appended":
        chunksAppended += 1;
        feesPaid += event.fee;
        break;
      case "completed":
        completed += 1;
        tokensIn += event.tokensIn;
        tokensOut += event.tokensOut;
        lamportsEarned += event.earnedLamports;
        feesPaid += event.fee;
        if (event.timeToFirstChunkMs !== null) {
          ttfc.count += 1;
          ttfc.sum += event.timeToFirstChunkMs;
          ttfc.last = event.timeToFirstChunkMs;
        }
        if (event.tokensPerSecond !== null && event.tokensPerSecond > 0) {
          lastTps = event.tokensPerSecond;
          generatedTokens += event.tokensOut;
          generationSeconds += event.tokensOut / event.tokensPerSecond;
        }
        break;
      case "abandoned":
        abandoned += 1;
        break;
      case "left-to-expire":
        leftToExpire += 1;
        break;
      case "retry":
        sendRetries += 1;
        break;
      case "session-settled":
      case "session-closed":
        feesPaid += event.fee;
        break;
      case "responses-closed":
        responsesClosed += event.responses.length;
        rentRecovered += event.rentLamports;
        feesPaid += event.fee;
        break;
      default:
        break;
    }
  };

  const snapshot = (): NodeMetricsSnapshot => {
    const servingMs = time.servingMs + elapsed(false);
    return {
      locked,
      completed,
      abandoned,
      leftToExpire,
      skipped: { ...skipped },
      chunksAppended,
      sendRetries,
      tokensIn,
      tokensOut,
      lamportsEarned,
      feesPaid,
      activeRequests,
      responsesClosed,
      rentRecovered,
      timeToFirstChunkMs: { ...ttfc },
      tokensPerSecond: { average: generationSeconds > 0 ? generatedTokens / generationSeconds : null, last: lastTps },
      servingMs,
      pausedMs: time.pausedMs + elapsed(true),
      paused: time.paused,
      lamportsPerServingHour: servingMs > 0 ? Number(lamportsEarned) / (servingMs / 3_600_000) : null,
    };
  };

  const renderPrometheus = (): string => {
    const s = snapshot();
    const lines: string[] = [];
    const metric = (name: string, type: "counter" | "gauge", help: string, samples: readonly (readonly [string, number | bigint])[]) => {
      lines.push(`# HELP chainference_node_${name} ${help}`, `# TYPE chainference_node_${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`chainference_node_${name}${labels} ${value}`);
    };
    metric("requests_locked_total", "counter", "Requests this node locked.", [["", s.locked]]);
    metric("requests_completed_total", "counter", "Requests answered and settled.", [["", s.completed]]);
    metric("requests_abandoned_total", "counter", "Locked requests given up (they expire and refund the client).", [["", s.abandoned]]);
    metric("requests_left_to_expire_total", "counter", "Requests found locked at start too late to finish.", [["", s.leftToExpire]]);
    metric(
      "requests_skipped_total",
      "counter",
      "Open requests not taken, by reason (counted once per request and reason).",
      Object.entries(s.skipped).map(([reason, n]) => [`{reason="${reason}"}`, n ?? 0] as const),
    );
    metric("requests_active", "gauge", "Requests being answered now.", [["", s.activeRequests]]);
    metric("chunks_appended_total", "counter", "Response chunks written on-chain.", [["", s.chunksAppended]]);
    metric("send_retries_total", "counter", "Transactions resent after a transient failure.", [["", s.sendRetries]]);
    metric("tokens_in_total", "counter", "Prompt tokens billed.", [["", s.tokensIn]]);
    metric("tokens_out_total", "counter", "Answer tokens billed.", [["", s.tokensOut]]);
    metric("lamports_earned_total", "counter", "Lamports earned after the protocol fee.", [["", s.lamportsEarned]]);
    metric("fees_paid_lamports_total", "counter", "Transaction fees paid by the operator.", [["", s.feesPaid]]);
    metric("responses_closed_total", "counter", "Response accounts closed by the close sweep (past the grace period).", [
      ["", s.responsesClosed],
    ]);
    metric("rent_recovered_lamports_total", "counter", "Response rent the close sweep returned to the operator.", [["", s.rentRecovered]]);
    metric("time_to_first_chunk_ms_sum", "counter", "Sum of lock-to-first-chunk times (ms).", [["", s.timeToFirstChunkMs.sum]]);
    metric("time_to_first_chunk_ms_count", "counter", "Requests with a measured time to first chunk.", [["", s.timeToFirstChunkMs.count]]);
    metric("tokens_per_second", "gauge", "Answer tokens per second of generation, averaged over completed requests.", [
      ["", s.tokensPerSecond.average ?? 0],
    ]);
    metric("tokens_per_second_last", "gauge", "Answer tokens per second of the last completed request.", [
      ["", s.tokensPerSecond.last ?? 0],
    ]);
    metric("serving", "gauge", "1 while the node takes new work, 0 while paused (idle policy, serve hours or its operator).", [
      ["", s.paused ? 0 : 1],
    ]);
    metric("serving_seconds_total", "counter", "Seconds the node took new work since start.", [["", s.servingMs / 1000]]);
    metric("paused_seconds_total", "counter", "Seconds the node was paused since start (it finished work it held).", [
      ["", s.pausedMs / 1000],
    ]);
    metric("lamports_per_serving_hour", "gauge", "Lamports earned per hour of serving time (requests, after the protocol fee).", [
      ["", s.lamportsPerServingHour ?? 0],
    ]);
    renderBackends(metric);
    return `${lines.join("\n")}\n`;
  };

  const renderBackends = (metric: (name: string, type: "gauge", help: string, samples: readonly (readonly [string, number])[]) => void) => {
    const local = backends.filter((b) => b.backend.placement !== undefined);
    if (local.length === 0) return;
    const label = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
    const model = (b: MetricsBackend) => `model="${label(b.model)}"`;
    const each = (value: (b: MetricsBackend) => number) => local.map((b) => [`{${model(b)}}`, value(b)] as const);
    metric(
      "backend_info",
      "gauge",
      "In-process backend of a served model: the device llama.cpp runs on (cpu, cuda, vulkan, metal) and its GPU.",
      local.map((b) => {
        const p = b.backend.placement!;
        return [`{${model(b)},device="${p.device}",gpu="${label(p.gpuNames.join(", "))}"}`, 1] as const;
      }),
    );
    metric(
      "backend_gpu_layers",
      "gauge",
      "Model layers offloaded to the GPU.",
      each((b) => b.backend.placement!.gpuLayers),
    );
    metric(
      "backend_layers",
      "gauge",
      "Model layers in total.",
      each((b) => b.backend.placement!.totalLayers),
    );
    metric(
      "backend_threads",
      "gauge",
      "CPU threads llama.cpp evaluates with.",
      each((b) => b.backend.placement!.threads),
    );
    metric(
      "backend_slots",
      "gauge",
      "Requests the backend generates at once (parallel sequences).",
      each((b) => b.backend.placement!.slots),
    );
    metric(
      "backend_slots_busy",
      "gauge",
      "Slots generating now.",
      each((b) => b.backend.slotUsage?.().busy ?? 0),
    );
    metric(
      "backend_waiting",
      "gauge",
      "Requests waiting for a free slot.",
      each((b) => b.backend.slotUsage?.().waiting ?? 0),
    );
  };

  return {
    record,
    setActiveRequests: (n) => (activeRequests = n),
    setBackends: (list) => (backends = [...list]),
    snapshot,
    renderPrometheus,
  };
}
