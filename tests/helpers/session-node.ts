/**
 * Set-up for the session tests: a provider node with its session server on a free port, a client with an open
 * session against it (real program on LiteSVM), and a raw client that speaks the protocol without the SDK's
 * session client (to misbehave). Never imports vitest.
 */
import type { KeyPairSigner } from "@solana/kit";
import { encodePromptPayload, type PromptPayload } from "@chainference/client";
import {
  askInSession,
  createSessionProgress,
  deriveSessionFrameKey,
  encodeSessionAskBody,
  encryptSessionFrame,
  fetchSessionAccount,
  fetchSessionInfo,
  openSession,
  parseSessionEvent,
  signSessionAsk,
  type SessionAccount,
  type SessionAnswerResult,
  type SessionConnection,
  type SessionEvent,
  type SessionInfo,
  type SessionKeys,
  type SessionProgress,
} from "@chainference/client/sessions";
import { DEFAULT_MODEL, defaultSessionServeConfig, type NodeConfig, type ProviderNode, type SessionServeConfig } from "@chainference/node";

import { fundedWallet, LAMPORTS_PER_SOL, testNodeConfig, type TestMarket } from "./provider-harness";

/** Node settings with sessions on a free port (and `sessions` overrides). */
export async function sessionNodeConfig(
  sessions: Partial<SessionServeConfig> = {},
  overrides: Partial<NodeConfig> = {},
): Promise<NodeConfig> {
  return testNodeConfig({ ...overrides, sessions: { ...defaultSessionServeConfig(), port: 0, ...sessions } });
}

/** A client with an open session on `node`. */
export type TestSession = Readonly<{
  client: KeyPairSigner;
  keys: SessionKeys;
  account: SessionAccount;
  info: SessionInfo;
  connection: SessionConnection;
  progress: SessionProgress;
}>;

/** Opens a session on `node` for the default model (a fresh funded client unless given). */
export async function openTestSession(
  market: TestMarket,
  node: ProviderNode,
  options: { client?: KeyPairSigner; deposit?: bigint } = {},
): Promise<TestSession> {
  if (!node.sessions) throw new Error("the node serves no sessions (config.sessions.port is 0)");
  const client = options.client ?? (await fundedWallet(market.chain));
  const opened = await openSession(market.chain, {
    client,
    server: node.server,
    model: DEFAULT_MODEL.hfId,
    deposit: options.deposit ?? 5_000_000n,
    maxPriceIn: LAMPORTS_PER_SOL,
    maxPriceOut: LAMPORTS_PER_SOL,
  });
  const account = await fetchSessionAccount(market.chain, opened.session);
  if (!account) throw new Error(`no session account at ${opened.session}`);
  const info = await fetchSessionInfo(node.sessions.url);
  const connection: SessionConnection = {
    endpoint: node.sessions.url,
    keys: opened.keys,
    serverKey: opened.serverKey,
    keyEpoch: opened.keyEpoch,
    prices: { priceIn: account.priceIn, priceOut: account.priceOut },
  };
  return { client, keys: opened.keys, account, info, connection, progress: createSessionProgress() };
}

/** Asks one question in the session and reads the whole answer. */
export async function askAll(session: TestSession, question: string, maxTokens = 16): Promise<SessionAnswerResult & { streamed: string }> {
  const answer = askInSession({
    connection: session.connection,
    progress: session.progress,
    payload: { v: 1, messages: [{ role: "user", content: question }], maxTokens },
  });
  let streamed = "";
  for await (const delta of answer) streamed += delta.text;
  return { ...(await answer.result), streamed };
}

/** The ask body the SDK would send for `payload` as answer `answer` (signed with `keys`, by default the session's). */
export function rawAskBody(session: TestSession, answer: number, payload: PromptPayload, keys: SessionKeys = session.keys): string {
  return JSON.stringify(encodeSessionAskBody(rawAsk(session, answer, payload, keys)));
}

function rawAsk(session: TestSession, answer: number, payload: PromptPayload, keys: SessionKeys) {
  // The frame key is the client's (its session secret with the server key), as askInSession derives it.
  const frameKey = clientFrameKey(session);
  const prompt = encryptSessionFrame({
    frameKey,
    session: session.account.address,
    answer,
    direction: "prompt",
    chunk: 0,
    isFinal: true,
    plaintext: encodePromptPayload(payload),
  });
  const signature = signSessionAsk({
    ask: {
      session: session.account.address,
      answer,
      clientKey: session.keys.clientKey,
      keyEpoch: session.connection.keyEpoch,
      promptFrame: prompt,
    },
    voucherSecret: keys.voucherSecret,
  });
  return { answer, clientKey: session.keys.clientKey, keyEpoch: session.connection.keyEpoch, prompt, signature };
}

function clientFrameKey(session: TestSession): Uint8Array {
  return deriveSessionFrameKey({
    secret: session.keys.clientSecret,
    peerKey: session.connection.serverKey,
    session: session.account.address,
    peer: "server",
  });
}

/** POSTs a raw ask and reads every event until the stream ends (no voucher is ever posted). */
export async function postRawAsk(session: TestSession, body: string): Promise<{ status: number; events: SessionEvent[]; json: unknown }> {
  const response = await fetch(`${session.connection.endpoint}/v1/sessions/${session.account.address}/answers`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  if (!response.ok) return { status: response.status, events: [], json: await response.json() };
  const text = await response.text();
  const events = text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const name = /^event: (.*)$/m.exec(block)![1]!;
      const data = /^data: (.*)$/m.exec(block)![1]!;
      return parseSessionEvent(name, data);
    });
  return { status: response.status, events, json: null };
}

/** POSTs a voucher body and returns the status and JSON answer. */
export async function postRawVoucher(
  session: TestSession,
  body: unknown,
  path = session.account.address,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${session.connection.endpoint}/v1/sessions/${path}/vouchers`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}
