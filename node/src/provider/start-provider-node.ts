import { setMaxListeners } from "node:events";
import { stat } from "node:fs/promises";

import type { Address, TransactionSigner } from "@solana/kit";
import { CHAINFERENCE_PROGRAM_ADDRESS, getCurrentServerKey, publishServer, type Chain } from "@chainference/client";

import { describeBackend } from "../backends/describe-placement";
import type { InferenceBackend } from "../backends/inference-backend";
import { defaultNodeConfig, type NodeConfig } from "../config/node-config";
import { createMachineLoadSource, type LoadSource } from "../idle/machine-load";
import { pauseServing, resumeServing } from "../idle/pause-file";
import { createServingGate, type ServingState } from "../idle/serving-gate";
import { getDefaultKeyringPath } from "../keyring/keyring-file";
import { rotateKeyInKeyring } from "../keyring/rotate-server-key";
import { createNodeMetrics, type NodeMetrics } from "../metrics/node-metrics";
import { createChainSessionLedger } from "../sessions/chain-session-ledger";
import type { SessionLedger } from "../sessions/session-ledger";
import type { SessionServerEvent } from "../sessions/session-server";
import { defaultSessionStateDir, startSessionService, type SessionService } from "../sessions/session-service";
import type { SettlerEvent } from "../sessions/session-settler";
import { createCloseSweep, type SweepResult } from "./close-sweep";
import { describeError } from "./describe-error";
import type { EventHub } from "./event-hub";
import { createKeyHygiene } from "./key-hygiene";
import { createLiveKeyring } from "./live-keyring";
import { closeNodeResources, openNodeResources } from "./node-resources";
import type { NodeEvent } from "./node-events";
import { createNodeReporter, logToStderr } from "./node-reporter";
import { createPollScheduler } from "./poll-scheduler";
import { recoverOnStart } from "./recover-on-start";
import { createRequestJobs } from "./request-jobs";
import { createRetryPolicy, sendWithRetry } from "./send-retry";
import type { ServeContext } from "./serve-request";
import { servedModelIds, serverListing } from "./served-models";
import { createSkipMemos } from "./skip-memos";
import { createSpeedAverages } from "./speed-averages";
import { pollOpenRequests, subscribeOpenRequests } from "./watch-open-requests";

/** Options of {@link startProviderNode}. */
export type ProviderNodeOptions = Readonly<{
  chain: Chain;
  /** The operator keypair: owns the server account, signs and pays every transaction, receives earnings. */
  operator: TransactionSigner;
  /** Default: {@link defaultNodeConfig} (the embedded default model). */
  config?: NodeConfig;
  /** Default: `config.keyringPath`, else `~/.config/chainference/server-keyring-<operator>.json`. */
  keyringPath?: string;
  /** Keeps the keyring file encrypted under this passphrase (docs/privacy.md §6); absent = plain JSON, 0600. */
  keyringPassphrase?: string;
  /** Where the idle policy reads the machine's load (default: /proc/stat minus the node's own CPU time, and nvidia-smi). */
  loadSource?: LoadSource;
  /**
   * Backends by model id (`hfId`), e.g. to share one loaded model between node instances. Models without
   * one get the backend their config names, created at start and closed at stop.
   */
  backends?: Readonly<Record<string, InferenceBackend>>;
  /** Where log lines go (default: stderr with an ISO timestamp); `null` for none. Events are emitted either way. */
  log?: ((line: string) => void) | null;
  /** How the session server reads and settles sessions (default: the program on `chain`, signed by `operator`). */
  sessionLedger?: SessionLedger;
  /** How often the settle schedule runs (default min(2 s, `config.sessions.settleIntervalMs`)). */
  settleTickMs?: number;
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
  /** The session server, voucher book and settle schedule when `config.sessions.port` is set (not null), else null. */
  sessions: SessionService | null;
  /** Requests locked and being answered now. */
  activeRequests(): readonly Address[];
  /**
   * New X25519 key at the next epoch, saved, then published; old secrets are kept while in-flight work (locks,
   * open sessions) names their epoch, then erased from the keyring file and memory.
   */
  rotateKey(): Promise<{ epoch: number }>;
  /**
   * Runs the close sweep now: closes this server's completed responses past the Config's grace period, up to 25 per
   * transaction, their rent back to the operator (it also runs every `closeSweepIntervalMs` and at a drained stop).
   */
  closeResponses(): Promise<SweepResult>;
  /** Whether the node takes new work now, and why not (idle policy, serve hours, hand pause). */
  serving(): ServingState;
  /** Pauses by hand (the pause file beside the keyring, as `chainference serve pause` does): no new work, in-flight work ends. */
  pause(reason?: string): Promise<ServingState>;
  /** Lifts a hand pause (the idle policy and serve hours still apply). */
  resume(): Promise<ServingState>;
  /**
   * Stops polling, then either waits for the requests in progress to be answered (`drain: true`) or abandons
   * them at once, leaving them locked on-chain for the next start to recover (default, like a crash). The session
   * server stops too; with `drain: true` every session it served is closed cooperatively (final settle + close in
   * one transaction), otherwise the saved vouchers wait for the next start. A drained stop then marks the server
   * inactive on-chain (`update_server`), so clients leave it out until the next start marks it active again, and
   * runs the close sweep once.
   */
  stop(options?: { drain?: boolean }): Promise<void>;
}>;

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
  const metrics = createNodeMetrics();
  const { events, emit } = createNodeReporter(metrics, options.log === undefined ? logToStderr : options.log);
  const retry = createRetryPolicy(config, emit);
  const keyringPath = options.keyringPath ?? config.keyringPath ?? getDefaultKeyringPath(operator.address);

  const resources = await openNodeResources({
    chain,
    operator,
    config,
    backends: options.backends,
    keyringPath,
    ...(options.keyringPassphrase ? { keyringPassphrase: options.keyringPassphrase } : {}),
    emit,
    retry,
    renderMetrics: metrics.renderPrometheus,
  });
  const { backendFor, registration, chunkRoom } = resources;
  const maxChunkPlaintext = chunkRoom.alone;
  const server = registration.server;
  // Backends: where each model runs, in the start line and /metrics.
  metrics.setBackends(config.models.map((m) => ({ model: m.hfId, backend: backendFor(m) })));
  /** The keyring file's passphrase, for every part that reads or writes it. */
  const passphrase = options.keyringPassphrase ? { passphrase: options.keyringPassphrase } : {};
  const keyring = createLiveKeyring({
    keyring: registration.keyring,
    keyringPath,
    server,
    ...passphrase,
  });
  emit({
    type: "started",
    server,
    operator: operator.address,
    keyEpoch: registration.keyring.currentEpoch,
    listing: registration.listing,
    models: config.models.map((m) => `${m.hfId}@${m.revision.slice(0, 8) || "any"} ${m.quantization}`.trim()),
    maxChunkBytes: maxChunkPlaintext,
    fee: registration.fee,
    backends: config.models.map((m) => describeBackend(backendFor(m))),
  });

  const stopController = new AbortController();
  // Every request job (and its sends) listens for the stop: a node answering many at once has many listeners.
  setMaxListeners(0, stopController.signal);
  const closeSweep = createCloseSweep({ chain, operator, server, emit, retry, intervalMs: config.closeSweepIntervalMs });
  const ctx: ServeContext = {
    chain,
    operator,
    config,
    keyring: keyring.current,
    chunkRoom,
    closesAlong: closeSweep.along,
    emit,
    stopSignal: stopController.signal,
  };
  const speeds = createSpeedAverages(config.estimatedTokensPerSecond);
  const jobs = createRequestJobs({
    emit,
    speeds,
    setActiveRequests: metrics.setActiveRequests,
    slotsFor: (m) => backendFor(m).placement?.slots ?? 1,
  });
  const memos = createSkipMemos(emit);
  let sessions: SessionService | null = null;
  const hygiene = createKeyHygiene({
    keyring,
    keyringPath,
    ...passphrase,
    inFlight: jobs.requests,
    sessionEpochs: () => openSessionEpochs(sessions),
    publish: async (current) => {
      const listing = serverListing(config, getCurrentServerKey(current).publicKey);
      const rotation = await rotateKeyInKeyring({
        chain,
        operator,
        keyring: current,
        keyringPath,
        listing,
        ...passphrase,
      });
      return { keyring: rotation.keyring, fee: rotation.sent.fee };
    },
    emit,
    rotateEveryMs: config.keyRotationIntervalMs,
    keyAgeMs: Date.now() - (await stat(keyringPath)).mtimeMs,
  });
  let gate: ReturnType<typeof createServingGate> | null = null;
  const scheduler = createPollScheduler({
    poll: async (isAccepting) => {
      // Between polls: every lock a poll took is tracked by now, so retired secrets no job needs can go.
      await hygiene
        .eraseRetired()
        .catch((error: unknown) => emit({ type: "error", where: "erasing retired keys", error: describeError(error) }));
      const accepting = () => isAccepting() && (gate?.acceptingWork() ?? true);
      await pollOpenRequests({ ctx, server, retry, backendFor, memos, jobs, keyring, speeds, isAccepting: accepting });
    },
    intervalMs: config.pollIntervalMs,
    onError: (error) => emit({ type: "error", where: "polling open requests", error }),
  });
  const unsubscribe = subscribeOpenRequests(chain, servedModelIds(config), scheduler.wake);

  gate = createServingGate({
    policy: config.idle,
    keyringPath,
    loadSource: options.loadSource ?? createMachineLoadSource({ gpu: config.idle.gpuBelowPercent !== null }),
    ownWorkInFlight: () => jobs.count() > 0 || (sessions?.server.activeAnswers() ?? 0) > 0,
    onChange: (state) => {
      emit(state.paused ? { type: "serving-paused", reason: state.reason ?? "paused" } : { type: "serving-resumed" });
      if (!state.paused) scheduler.wake();
    },
  });
  await gate.refresh();
  const servingGate = gate;

  try {
    await recoverOnStart({ ctx, server, backendFor, keyring, speeds, jobs });
  } catch (error) {
    emit({ type: "error", where: "recovering locked requests", error: describeError(error) });
  }
  scheduler.start();
  servingGate.start();
  hygiene.start();
  closeSweep.start();

  sessions =
    config.sessions.port !== null
      ? await startSessionService({
          ledger: options.sessionLedger ?? createChainSessionLedger({ chain, operator }),
          programId: CHAINFERENCE_PROGRAM_ADDRESS,
          server,
          operator: operator.address,
          keyring: keyring.current,
          config,
          backendFor,
          stateDir: config.sessions.stateDir ?? defaultSessionStateDir(keyringPath),
          pausedReason: () => servingGate.state().reason,
          emit: (event) => emit(toNodeEvent(event)),
          ...(options.settleTickMs === undefined ? {} : { settleTickMs: options.settleTickMs }),
        })
      : null;
  if (sessions) emit({ type: "sessions-listening", url: sessions.url, creditWindowLamports: config.sessions.creditWindowLamports });

  /** A graceful stop leaves allow-lists: `update_server` with active = false (the next start publishes active = true). */
  const markInactive = async (): Promise<void> => {
    try {
      const listing = serverListing(config, getCurrentServerKey(keyring.current()).publicKey, false);
      const { sent } = await sendWithRetry(() => publishServer(chain, operator, listing), retry("mark the server inactive", null));
      emit({ type: "server-active", active: false, fee: sent.fee });
    } catch (error) {
      emit({ type: "error", where: "marking the server inactive", error: describeError(error) });
    }
  };

  let stopped: Promise<void> | null = null;
  const stop = async (drain: boolean): Promise<void> => {
    scheduler.stop();
    servingGate.stop();
    hygiene.stop();
    closeSweep.stop();
    unsubscribe();
    await sessions?.stop({ closeSessions: drain });
    if (!drain) stopController.abort(new Error("the provider node stopped"));
    await scheduler.idle();
    await jobs.allDone();
    stopController.abort(new Error("the provider node stopped"));
    if (drain) {
      await markInactive();
      // One read of this server's responses; a transaction only when some are past the grace period.
      await closeSweep
        .sweep()
        .catch((error: unknown) => emit({ type: "error", where: "sweeping closable responses", error: describeError(error) }));
    }
    await closeNodeResources(resources);
    emit({ type: "stopped", abandonedInFlight: jobs.leftLockedByStop() });
  };
  return {
    server,
    operator: operator.address,
    keyringPath,
    maxChunkPlaintext,
    events,
    metrics,
    metricsUrl: resources.metricsServer?.url ?? null,
    sessions,
    activeRequests: jobs.requests,
    rotateKey: hygiene.rotate,
    closeResponses: closeSweep.sweep,
    serving: servingGate.state,
    async pause(reason) {
      await pauseServing(keyringPath, reason);
      return servingGate.refresh();
    },
    async resume() {
      await resumeServing(keyringPath);
      return servingGate.refresh();
    },
    stop(stopOptions = {}) {
      stopped ??= stop(stopOptions.drain ?? false);
      return stopped;
    },
  };
}

/**
 * Key epochs of the sessions this node serves that are not closed; a session read from disk whose account was not
 * read in this run counts as epoch 0 (unknown: every older secret stays until it is read or closed).
 */
function openSessionEpochs(sessions: SessionService | null): number[] {
  if (!sessions) return [];
  return sessions.book
    .entries()
    .filter((e) => !e.closed && e.view?.status !== "closed")
    .map((e) => e.view?.keyEpoch ?? 0);
}

/** A session server or settler event as a node event (answer outcomes flattened for the log and metrics). */
function toNodeEvent(event: SessionServerEvent | SettlerEvent): NodeEvent {
  if (event.type !== "session-answered") return event;
  const { outcome } = event;
  return {
    type: "session-answered",
    session: event.session,
    answer: event.answer,
    finishReason: outcome.finishReason,
    tokensIn: outcome.tokensIn,
    tokensOut: outcome.tokensOut,
    lamports: outcome.lamports,
    firstChunkMs: outcome.firstChunkMs,
    durationMs: outcome.durationMs,
    text: outcome.text,
  };
}
