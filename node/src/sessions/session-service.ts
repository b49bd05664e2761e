import { join } from "node:path";

import type { Address } from "@solana/kit";
import type { ServerKeyring } from "@chainference/client";

import type { InferenceBackend } from "../backends/inference-backend";
import type { NodeConfig, ServedModelConfig } from "../config/node-config";
import { openSessionBook, type SessionBook } from "./session-book";
import type { SessionLedger } from "./session-ledger";
import { startSessionServer, type SessionServer, type SessionServerEvent } from "./session-server";
import { createSessionSettler, type SessionSettler, type SettlerEvent } from "./session-settler";
import { createSessionStore } from "./session-store";

/** Options of {@link startSessionService}. */
export type SessionServiceOptions = Readonly<{
  ledger: SessionLedger;
  programId: Address;
  server: Address;
  operator: Address;
  keyring: () => ServerKeyring;
  config: NodeConfig;
  backendFor: (model: ServedModelConfig) => InferenceBackend;
  /** Where vouchers are kept (default `config.sessions.stateDir`). */
  stateDir: string;
  emit: (event: SessionServerEvent | SettlerEvent) => void;
  /** How often the settle schedule looks at unsettled vouchers (default min(2 s, settleIntervalMs)). */
  settleTickMs?: number;
  /** Why the node takes no new work now, or null (the idle gate); absent = always serving. */
  pausedReason?: () => string | null;
}>;

/** The session side of a provider node: the HTTP server, the voucher book and the settle schedule. */
export type SessionService = Readonly<{
  url: string;
  port: number;
  book: SessionBook;
  settler: SessionSettler;
  server: SessionServer;
  /**
   * Stops serving (streaming answers end with `stopping`), then either closes every session this node served
   * cooperatively (`closeSessions: true`: final settle + close in one transaction each) or leaves them with their
   * vouchers saved for the next start to settle.
   */
  stop(options?: { closeSessions?: boolean }): Promise<void>;
}>;

/**
 * The default state directory for a keyring: `<keyringPath>.sessions/`.
 *
 * @example
 * defaultSessionStateDir("/home/op/.config/chainference/server-keyring-7xK.json"); // "…/server-keyring-7xK.json.sessions"
 */
export function defaultSessionStateDir(keyringPath: string): string {
  return join(`${keyringPath}.sessions`);
}

/**
 * Loads the saved vouchers, starts the session server and the settle schedule (which settles vouchers a previous run
 * left unsettled as soon as they are due).
 *
 * @example
 * const sessions = await startSessionService({ ledger, programId, server, operator, keyring, config, backendFor, stateDir, emit });
 */
export async function startSessionService(options: SessionServiceOptions): Promise<SessionService> {
  const book = await openSessionBook(createSessionStore(options.stateDir));
  const settler = createSessionSettler({
    ledger: options.ledger,
    book,
    policy: options.config.sessions,
    emit: options.emit,
    ...(options.settleTickMs === undefined ? {} : { tickMs: options.settleTickMs }),
  });
  const server = await startSessionServer({ ...options, book, closeSession: (entry, view) => settler.close(entry, view) });
  settler.start();
  let stopped: Promise<void> | null = null;
  return {
    url: server.url,
    port: server.port,
    book,
    settler,
    server,
    stop(stopOptions = {}) {
      stopped ??= (async () => {
        await server.close();
        await settler.stop();
        if (stopOptions.closeSessions) await settler.closeAll();
      })();
      return stopped;
    },
  };
}
