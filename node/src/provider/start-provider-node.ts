import type { Address, TransactionSigner } from "@solana/kit";
import {
  CHAINFERENCE_PROGRAM_ADDRESS,
  fetchLockedRequests,
  fetchOpenRequests,
  fetchOwnServer,
  fetchRequestAccount,
  getCurrentServerKey,
  lockRequest,
  openRequestsQuery,
  RequestStatus,
  type Chain,
  type RequestAccount,
  type ServerKeyring,
} from "@chainference/client";

import type { InferenceBackend } from "../backends/inference-backend";
import { defaultNodeConfig, type NodeConfig, type ServedModelConfig } from "../config/node-config";
import { getDefaultKeyringPath, readServerKeyringFile } from "../keyring/keyring-file";
import { rotateKeyInKeyring } from "../keyring/rotate-server-key";
import { startMetricsServer, type MetricsServer } from "../metrics/metrics-server";
import { createNodeMetrics, type NodeMetrics } from "../metrics/node-metrics";
import { getMaxChunkPlaintextBytes } from "./chunk-size";
import { describeError } from "./describe-error";
import { createEventHub, type EventHub } from "./event-hub";
import { createModelBackends } from "./model-backends";
import { TRANSIENT_SKIP_REASONS, type NodeEvent, type SkipReason } from "./node-events";
import { formatNodeEvent } from "./node-log";
import { recoverLockedRequest, type RecoveryOutcome } from "./recover-request";
import type { OpenedPrompt } from "./request-prompt";
import { NO_LANDED_RESPONSE } from "./response-writer";
import { screenRequest, type ScreenDecision } from "./screen-request";
import { sendWithRetry } from "./send-retry";
import { serveLockedRequest, type ServeContext } from "./serve-request";
import { findServedModel, servedModelIds, serverListing } from "./served-models";
import { registerServer, type ServerRegistration } from "./server-registration";

/** Options of {@link startProviderNode}. */
export type ProviderNodeOptions = Readonly<{
  chain: Chain;
  /** The operator keypair: owns the server account, signs and pays every transaction, receives earnings. */
  operator: TransactionSigner;
  /** Default: {@link defaultNodeConfig} (the embedded default model). */
  config?: NodeConfig;
  /** Default: `config.keyringPath`, else `~/.config/chainference/server-keyring-<operator>.json`. */
  keyringPath?: string;
  /**
   * Backends by model id (`hfId`), e.g. to share one loaded model between node instances. Models without
   * one get the backend their config names, created at start and closed at stop.
   */
  backends?: Readonly<Record<string, InferenceBackend>>;
  /** Where log lines go (default: stderr with an ISO timestamp); `null` for none. Events are emitted either way. */
  log?: ((line: string) => void) | null;
}>;

/** A running provider node. */
export type ProviderNode = Readonly<{
  /** The server account (PDA `["server", operator]`). */
  server: Address;
  operator: Address;
  keyringPath: string;
  /** Largest chunk plaintext the node writes (what one `append_response` transaction holds, or the config's). */
  maxChunkPlaintext: number;
  events: EventHub<NodeEvent>;
  metrics: NodeMetrics;
  /** `http://127.0.0.1:<port>/metrics` when `config.metricsPort` is set, else null. */
  metricsUrl: string | null;
  /** Requests locked and being answered now. */
  activeRequests(): readonly Address[];
  /** New X25519 key at the next epoch, saved, then published; old secrets are kept for in-flight work. */
  rotateKey(): Promise<{ epoch: number }>;
  /**
   * Stops polling, then either waits for the requests in progress to be answered (`drain: true`) or abandons
   * them at once, leaving them locked on-chain for the next start to recover (default, like a crash).
   */
  stop(options?: { drain?: boolean }): Promise<void>;
}>;

type Job = { readonly model: ServedModelConfig; readonly tokens: number; readonly done: Promise<void> };
type Memo = { opened?: OpenedPrompt; reasons: Set<SkipReason>; permanent: boolean };

const defaultLog = (line: string): void => {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
};

/** Exponential moving average weight of the latest measured speed. */
const SPEED_WEIGHT = 0.3;

/**
 * Starts a provider node: loads (or creates) the server keyring, registers or updates the server on-chain
 * with its key, models and prices, recovers requests it had locked before a restart, then polls open
 * requests for its models every `pollIntervalMs` (one slot), screens them locally, locks those it can answer
 * (at most `concurrency` at once) and answers each: decrypts the prompt, runs the model, streams encrypted
 * chunks, completes with honest token counts. Problems with one request are logged and never stop the node.
 *
 * Watching polls `getProgramAccounts` with memcmp filters (discriminator + Open status + model), which every
 * RPC serves; when the chain offers subscriptions (`programSubscribe` with the same filters, or LiteSVM's
 * in-process hook) a notification runs that poll at once, so polling is only the fallback.
 *
 * @example
 * const node = await startProviderNode({ chain: createRpcChain(url), operator, config: await loadNodeConfig(path) });
 * process.on("SIGINT", () => void node.stop({ drain: true }));
 */
export async function startProviderNode(options: ProviderNodeOptions): Promise<ProviderNode> {
  const { chain, operator } = options;
  const config = options.config ?? defaultNodeConfig();
  const log = options.log === undefined ? defaultLog : options.log;
  const events = createEventHub<NodeEvent>({ onListenerError: (error) => log?.(`event listener failed: ${describeError(error)}`) });
  const metrics = createNodeMetrics();
  const emit = (event: NodeEvent): void => {
    metrics.record(event);
    const line = log ? formatNodeEvent(event) : null;
    if (line) log?.(line);
    events.emit(event);
  };
  const retry = (action: string, request: Address | null) => ({
    retries: config.sendRetries,
    delayMs: config.slotMs,
    onRetry: (attempt: number, error: unknown) => emit({ type: "retry", request, action, attempt, error: describeError(error) }),
  });

  // 1. Backends (a missing model fails before anything is sent), registration, chunk size, metrics.
  const { backendFor, owned } = await createModelBackends(config.models, options.backends);
  const keyringPath = options.keyringPath ?? config.keyringPath ?? getDefaultKeyringPath(operator.address);
  let registration: ServerRegistration;
  let maxChunkPlaintext: number;
  let metricsServer: MetricsServer | null = null;
  try {
    registration = await registerServer({ chain, operator, config, keyringPath, emit, retry: (action) => retry(action, null) });
    maxChunkPlaintext = await getMaxChunkPlaintextBytes(operator, config.flush.maxChunkBytes);
    if (config.metricsPort > 0) metricsServer = await startMetricsServer(config.metricsPort, metrics.renderPrometheus);
  } catch (error) {
    await Promise.all(owned.map((b) => b.close()));
    throw error;
  }
  const serverAddress = registration.server;
  let keyring: ServerKeyring = registration.keyring;
  const listing = () => serverListing(config, getCurrentServerKey(keyring).publicKey);
  emit({
    type: "started",
    server: serverAddress,
    operator: operator.address,
    keyEpoch: keyring.currentEpoch,
    listing: registration.listing,
    models: config.models.map((m) => `${m.hfId}@${m.revision.slice(0, 8) || "any"} ${m.quantization}`.trim()),
    maxChunkBytes: maxChunkPlaintext,
    fee: registration.fee,
  });

  // 3. Shared state of the request jobs.
  const stopController = new AbortController();
  const jobs = new Map<Address, Job>();
  let leftLockedByStop = 0;
  const memos = new Map<Address, Memo>();
  const speed = new Map<string, number>();
  const tokensPerSecond = (model: ServedModelConfig) => speed.get(model.hfId) ?? config.estimatedTokensPerSecond;
  const queuedTokens = (model: ServedModelConfig) => [...jobs.values()].filter((j) => j.model.hfId === model.hfId).reduce((n, j) => n + j.tokens, 0);
  const ctx: ServeContext = { chain, operator, config, keyring: () => keyring, maxChunkPlaintext, emit, stopSignal: stopController.signal };

  const track = (request: Address, model: ServedModelConfig, tokens: number, work: Promise<RecoveryOutcome>): void => {
    const done = work
      .then((outcome) => {
        if (outcome.status === "abandoned") emit({ type: "abandoned", request, reason: outcome.reason });
        if (outcome.status === "stopped") leftLockedByStop += 1;
        if (outcome.status === "completed" && outcome.tokensPerSecond !== null) {
          const previous = speed.get(model.hfId);
          speed.set(model.hfId, previous === undefined ? outcome.tokensPerSecond : previous + SPEED_WEIGHT * (outcome.tokensPerSecond - previous));
        }
      })
      .catch((error: unknown) => emit({ type: "abandoned", request, reason: `unexpected failure: ${describeError(error)}` }))
      .finally(() => {
        jobs.delete(request);
        metrics.setActiveRequests(jobs.size);
      });
    jobs.set(request, { model, tokens, done });
    metrics.setActiveRequests(jobs.size);
  };

  const noteSkip = (request: Address, decision: Extract<ScreenDecision, { take: false }>): void => {
    const memo = memos.get(request) ?? { reasons: new Set<SkipReason>(), permanent: false };
    if (decision.opened) memo.opened = decision.opened;
    memo.permanent = !TRANSIENT_SKIP_REASONS.has(decision.reason);
    // A prompt still being posted is not a skip worth reporting: subscriptions show every request mid-posting,
    // and its last append_prompt notifies again (or the next poll sees it sealed).
    if (!memo.reasons.has(decision.reason) && decision.reason !== "prompt-not-sealed") {
      memo.reasons.add(decision.reason);
      emit({ type: "skipped", request, reason: decision.reason, detail: decision.detail });
    }
    memos.set(request, memo);
  };

  /** A key epoch the keyring does not know may have been rotated by another process: reload once. */
  const reloadKeyringIfNeeded = async (request: RequestAccount): Promise<void> => {
    const entry = request.allowed.find((a) => a.server === serverAddress);
    if (!entry || keyring.keys.some((k) => k.epoch === entry.keyEpoch)) return;
    const fresh = await readServerKeyringFile(keyringPath);
    if (fresh && fresh.keys.some((k) => k.epoch === entry.keyEpoch)) keyring = fresh;
  };

  // 4. Locking and answering an open request.
  const lockAndServe = async (request: RequestAccount, decision: Extract<ScreenDecision, { take: true }>): Promise<void> => {
    let fee: bigint;
    try {
      fee = (await sendWithRetry(() => lockRequest(chain, operator, request.address), retry("lock_request", request.address))).fee;
    } catch (error) {
      noteSkip(request.address, { take: false, reason: "lock-failed", detail: describeError(error) });
      return;
    }
    const lockedAtMs = Date.now();
    let locked: RequestAccount | null;
    try {
      locked = await sendWithRetry(() => fetchRequestAccount(chain, request.address), retry("read the locked request", request.address));
    } catch (error) {
      emit({ type: "abandoned", request: request.address, reason: `locked, then could not read it back (${describeError(error)}); the next start recovers it` });
      return;
    }
    if (!locked || locked.status !== RequestStatus.Locked || locked.lockedBy !== serverAddress) {
      emit({ type: "error", where: `lock of ${request.address}`, error: "the lock landed but the request is not locked by this server any more" });
      return;
    }
    memos.delete(request.address);
    emit({ type: "locked", request: request.address, slot: locked.lockSlot, outputTokenCap: decision.budget.outputTokenCap, fee });
    const work = serveLockedRequest(ctx, {
      request: locked,
      opened: decision.opened,
      backend: backendFor(decision.model),
      landed: NO_LANDED_RESPONSE,
      outputTokenCap: decision.budget.outputTokenCap,
      reserveBytes: decision.budget.reserveBytes,
      streamByteCap: decision.streamByteCap,
      lockedAt: { ms: lockedAtMs, slot: locked.lockSlot },
    });
    track(request.address, decision.model, decision.budget.outputTokenCap, work);
  };

  // 5. Crash recovery, then the polling loop.
  const recover = async (): Promise<void> => {
    const [mine, slot] = await Promise.all([fetchLockedRequests(chain, serverAddress), chain.getSlot()]);
    const writableFromSlot = slot + BigInt(config.recoveryQuietSlots);
    for (const request of mine) {
      await reloadKeyringIfNeeded(request);
      const model = findServedModel(config, request.model, request.revision) ?? config.models[0]!;
      const work = recoverLockedRequest(ctx, { request, serverAddress, slot, writableFromSlot, backendFor, tokensPerSecond, queuedTokens });
      track(request.address, model, config.maxOutputTokens, work);
    }
  };

  const tick = async (): Promise<void> => {
    const [current, slot, ...open] = await Promise.all([
      fetchOwnServer(chain, operator.address),
      chain.getSlot(),
      ...servedModelIds(config).map((model) => fetchOpenRequests(chain, { model })),
    ]);
    if (!current) throw new Error(`the server account ${serverAddress} is gone (closed?)`);
    const requests = (open as RequestAccount[][]).flat().sort((a, b) => (a.createdSlot < b.createdSlot ? -1 : a.createdSlot > b.createdSlot ? 1 : 0));
    const stillOpen = new Set(requests.map((r) => r.address));
    for (const address of memos.keys()) if (!stillOpen.has(address)) memos.delete(address);
    for (const request of requests) {
      if (!accepting) return;
      const memo = memos.get(request.address);
      if (jobs.has(request.address) || memo?.permanent) continue;
      if (!memo?.opened) await reloadKeyringIfNeeded(request);
      const decision = await screenRequest({
        request,
        slot,
        serverAddress,
        server: current.server,
        config,
        keyring,
        backendFor,
        activeCount: jobs.size,
        queuedTokens,
        tokensPerSecond,
        maxChunkPlaintext,
        ...(memo?.opened ? { opened: memo.opened } : {}),
        getAccount: (address) => chain.getAccount(address),
      });
      if (decision.take) await lockAndServe(request, decision);
      else noteSkip(request.address, decision);
    }
  };

  let accepting = true;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  let lastTickError: string | null = null;
  // True until the first tick starts too, so a notification during crash recovery waits for it.
  let ticking = true;
  let woken = false;
  const loop = (): void => {
    if (!accepting) return;
    if (timer) clearTimeout(timer);
    timer = null;
    ticking = true;
    woken = false;
    running = tick()
      .then(() => {
        lastTickError = null;
      })
      .catch((error: unknown) => {
        const message = describeError(error);
        if (message !== lastTickError) emit({ type: "error", where: "polling open requests", error: message });
        lastTickError = message;
      })
      .finally(() => {
        ticking = false;
        // A notification during the tick may describe a request the tick missed: look again at once.
        if (accepting) timer = setTimeout(loop, woken ? 0 : config.pollIntervalMs);
      });
  };
  /** A new or reopened request for a served model: poll now instead of at the next interval. */
  const wake = (): void => {
    if (!accepting) return;
    if (ticking) woken = true;
    else {
      // Out of the notifier's call stack (LiteSVM notifies from inside the landing transaction).
      ticking = true;
      queueMicrotask(loop);
    }
  };
  const unsubscribes = servedModelIds(config).map(
    (model) => chain.subscribeAccountChanges?.({ program: CHAINFERENCE_PROGRAM_ADDRESS, query: openRequestsQuery(model) }, wake) ?? (() => {}),
  );

  try {
    await recover();
  } catch (error) {
    emit({ type: "error", where: "recovering locked requests", error: describeError(error) });
  }
  loop();

  let stopped: Promise<void> | null = null;
  return {
    server: serverAddress,
    operator: operator.address,
    keyringPath,
    maxChunkPlaintext,
    events,
    metrics,
    metricsUrl: metricsServer?.url ?? null,
    activeRequests: () => [...jobs.keys()],
    async rotateKey() {
      const rotation = await rotateKeyInKeyring({ chain, operator, keyring, keyringPath, listing: listing() });
      keyring = rotation.keyring;
      emit({ type: "key-rotated", epoch: rotation.epoch, fee: rotation.sent.fee });
      return { epoch: rotation.epoch };
    },
    stop(stopOptions = {}) {
      stopped ??= (async () => {
        accepting = false;
        for (const unsubscribe of unsubscribes) unsubscribe();
        if (timer) clearTimeout(timer);
        if (!stopOptions.drain) stopController.abort(new Error("the provider node stopped"));
        await running;
        await Promise.all([...jobs.values()].map((j) => j.done));
        stopController.abort(new Error("the provider node stopped"));
        await metricsServer?.close();
        await Promise.all(owned.map((b) => b.close()));
        emit({ type: "stopped", abandonedInFlight: leftLockedByStop });
      })();
      return stopped;
    },
  };
}
