/**
 * Compute-unit cases of the request lifecycle instructions, in the shape of cu-cases.ts (`CuBench`):
 * `npm run bench:cu` measures them with the registry benches (best/avg/worst into docs/cu.md) and
 * tests/program/cu-ceilings.test.ts holds each under its limit (p-token style: `limit 3_000; last
 * known N`). append_response is split by path: the first chunk (creates the response PDA through
 * the System program), growth covered by the prefunded reserve (realloc only), and growth that
 * needs a rent top-up (realloc + System transfer).
 *
 * Targets from issue 3: every instruction ≤ 3,000 CU; append_response ≤ 1,500 CU plus realloc.
 */
import type { Address } from "@solana/kit";
import { getRegisterServerInstructionAsync } from "../../clients/js/src/generated";
import type { CuBench } from "./cu-cases";
import { model, registerServer, serverAddress, type RegisteredServer } from "./fixtures";
import {
  CHUNK_OVERHEAD_LEN,
  MAX_CHUNK_IN_TX,
  allowed,
  appendPromptInstruction,
  appendResponseInstruction,
  cancelInstruction,
  chunk,
  closeResponseInstruction,
  complete,
  createRequest,
  createRequestInstruction,
  expireInstruction,
  feeShardOf,
  freshNonce,
  handOffInstruction,
  lock,
  plainSender,
  rateInstruction,
  responsePda,
  setupMarket,
  stream,
  type RequestParams,
} from "./lifecycle";
import { freshAddress, fundedSigner, send, warpSlots, type TestSvm } from "./svm";

/** Issue 3: every lifecycle instruction ≤ 3,000 CU. */
export const LIFECYCLE_CU_LIMIT = 3_000;
/** Issue 3: append_response ≤ 1,500 CU plus realloc (the growth path with no System call). */
export const APPEND_RESPONSE_CU_LIMIT = 1_500;

async function lockedRequest(t: TestSvm, params: Partial<RequestParams> = {}, servers = 1) {
  const market = await setupMarket(t, { servers });
  const server = market.servers[0]!;
  const req = await createRequest(t, params);
  await lock(plainSender(t), market, req.address, server);
  const [response] = await responsePda(req.address);
  return { market, server, req, response };
}

const target = (req: { address: Address; client: { address: Address }; nonce: bigint }) => ({
  address: req.address,
  client: req.client.address,
  feeShard: feeShardOf(req.nonce),
});

async function completedRequest(t: TestSvm) {
  const r = await lockedRequest(t);
  await stream(plainSender(t), r.server, r.req.address, [300]);
  await complete(plainSender(t), r.market, r.server, target(r.req), 100, 200);
  return r;
}

/** Seven strangers, then `server`: the allow-list's last entry is the locking server. */
async function fullAllowList(server: Address) {
  const others = await Promise.all(Array.from({ length: 7 }, async () => allowed(await freshAddress())));
  return [...others, allowed(server)];
}

const CHUNKS = [CHUNK_OVERHEAD_LEN, 256, MAX_CHUNK_IN_TX];

export const LIFECYCLE_CU_BENCHES: CuBench[] = [
  {
    instruction: "create_request",
    ceiling: LIFECYCLE_CU_LIMIT,
    lastKnown: 2_566,
    cases: [
      { label: "200-byte prompt, open allow-list", params: {} },
      {
        label: "400-byte prompt, 3 allowed servers",
        params: { promptLen: 400, prompt: new Uint8Array(400), allowedCount: 3 },
      },
      {
        label: "100-byte prompt, 8 allowed servers",
        params: { promptLen: 100, prompt: new Uint8Array(100), allowedCount: 8 },
      },
      {
        label: "unsealed: 9,000-byte prompt, first 800 bytes",
        params: { promptLen: 9_000, prompt: new Uint8Array(800) },
      },
    ].map(({ label, params }) => ({
      label,
      run: async (t: TestSvm) => {
        await setupMarket(t, { servers: 0 });
        const { allowedCount, ...rest } = params as Partial<RequestParams> & { allowedCount?: number };
        const list = await Promise.all(Array.from({ length: allowedCount ?? 0 }, async () => allowed(await freshAddress())));
        const client = await fundedSigner(t.svm);
        const ix = await createRequestInstruction(client, freshNonce(), { ...rest, allowed: list });
        return send(t, ix, { feePayer: client });
      },
    })),
  },
  {
    instruction: "append_prompt",
    ceiling: LIFECYCLE_CU_LIMIT,
    lastKnown: 161,
    cases: [100, 900].map((len) => ({
      label: `${len}-byte slice`,
      run: async (t: TestSvm) => {
        await setupMarket(t, { servers: 0 });
        const req = await createRequest(t, { promptLen: 2_000, prompt: new Uint8Array(100) });
        return send(t, appendPromptInstruction(req.client, req.address, 100, new Uint8Array(len)), {
          feePayer: req.client,
        });
      },
    })),
  },
  {
    instruction: "cancel_request",
    ceiling: LIFECYCLE_CU_LIMIT,
    lastKnown: 143,
    cases: [
      {
        label: "Open request",
        run: async (t) => {
          await setupMarket(t, { servers: 0 });
          const req = await createRequest(t);
          return send(t, cancelInstruction(req.client, req.address), { feePayer: req.client });
        },
      },
    ],
  },
  {
    instruction: "lock_request",
    ceiling: LIFECYCLE_CU_LIMIT,
    lastKnown: 1_722,
    cases: [
      {
        label: "open allow-list, model in the first entry",
        run: async (t) => {
          const market = await setupMarket(t);
          const req = await createRequest(t);
          return lock(plainSender(t), market, req.address);
        },
      },
      {
        label: "8-server allow-list (locking server last), all filters",
        run: async (t) => {
          const market = await setupMarket(t);
          const server = market.servers[0]!;
          // History so every filter is evaluated: 1 counted completion (100 tokens in: fee 10,000), rated 5.
          const done = await createRequest(t);
          await lock(plainSender(t), market, done.address, server);
          await stream(plainSender(t), server, done.address, [100]);
          await complete(plainSender(t), market, server, target(done), 100, 0);
          await send(t, rateInstruction(done.client, (await responsePda(done.address))[0], server.server, 5), {
            feePayer: done.client,
          });
          const req = await createRequest(t, {
            allowed: await fullAllowList(server.server),
            promptLen: 100,
            prompt: new Uint8Array(100),
            minCompleted: 1n,
            minSuccessBps: 10_000,
            minAvgRating: 500,
          });
          return lock(plainSender(t), market, req.address, server);
        },
      },
      {
        label: "16 models of the same id length, the requested one last (pinned revision)",
        run: async (t) => {
          const market = await setupMarket(t, { servers: 0 });
          // Same-length ids are compared in full; 16 of them still fit one register transaction.
          const id = (i: number) => `org/model-a${String.fromCharCode(97 + i)}`;
          const models = Array.from({ length: 16 }, (_, i) =>
            model(i + 1, {
              hfId: id(i),
              revision: i === 15 ? "main" : "",
              quantization: "",
              priceIn: 1_000n,
              priceOut: 1_000n,
            }),
          );
          const operator = await fundedSigner(t.svm);
          await send(
            t,
            await getRegisterServerInstructionAsync({
              operator,
              x25519Key: new Uint8Array(32).fill(7),
              endpoint: "",
              models,
            }),
            {
              feePayer: operator,
            },
          );
          const server: RegisteredServer = {
            operator,
            server: await serverAddress(operator.address),
            report: undefined as never,
          };
          const req = await createRequest(t, { model: id(15), revision: "main" });
          return lock(plainSender(t), market, req.address, server);
        },
      },
    ],
  },
  {
    instruction: "hand_off_request",
    ceiling: LIFECYCLE_CU_LIMIT,
    lastKnown: 400,
    cases: [
      {
        label: "one named server (the default), replaced by the next",
        run: async (t) => {
          const market = await setupMarket(t, { servers: 2 });
          const [first, next] = market.servers as [RegisteredServer, RegisteredServer];
          const req = await createRequest(t, { allowed: [allowed(first.server)] });
          return send(t, handOffInstruction(req.client, req.address, 0, allowed(next.server)), { feePayer: req.client });
        },
      },
      {
        label: "8-server allow-list (fan-out), the last entry replaced",
        run: async (t) => {
          const market = await setupMarket(t, { servers: 2 });
          const [first, next] = market.servers as [RegisteredServer, RegisteredServer];
          const req = await createRequest(t, { allowed: await fullAllowList(first.server) });
          return send(t, handOffInstruction(req.client, req.address, 7, allowed(next.server)), { feePayer: req.client });
        },
      },
    ],
  },
  {
    instruction: "append_response (first chunk: creates the response)",
    ceiling: LIFECYCLE_CU_LIMIT,
    lastKnown: 1_886,
    cases: CHUNKS.flatMap((len) =>
      [0, 4_096].map((reserve) => ({
        label: `${len}-byte chunk, reserve ${reserve}`,
        run: async (t: TestSvm) => {
          const { server, req } = await lockedRequest(t);
          const ix = await appendResponseInstruction(server.operator, server.server, req.address, {
            chunkIndex: 0,
            isFinal: false,
            ciphertext: chunk(len),
            reserveBytes: reserve,
          });
          return send(t, ix, { feePayer: server.operator });
        },
      })),
    ),
  },
  {
    instruction: "append_response (growth within the reserve: realloc only)",
    ceiling: APPEND_RESPONSE_CU_LIMIT,
    lastKnown: 732,
    cases: CHUNKS.map((len) => ({
      label: `${len}-byte chunk`,
      run: async (t: TestSvm) => {
        const { server, req } = await lockedRequest(t);
        await stream(plainSender(t), server, req.address, [100], { final: false, reserveBytes: 8_192 });
        const ix = await appendResponseInstruction(server.operator, server.server, req.address, {
          chunkIndex: 1,
          isFinal: true,
          ciphertext: chunk(len),
          reserveBytes: 8_192,
        });
        return send(t, ix, { feePayer: server.operator });
      },
    })),
  },
  {
    instruction: "append_response (growth with rent top-up: realloc + transfer)",
    ceiling: LIFECYCLE_CU_LIMIT,
    lastKnown: 2_050,
    cases: CHUNKS.map((len) => ({
      label: `${len}-byte chunk`,
      run: async (t: TestSvm) => {
        const { server, req } = await lockedRequest(t);
        await stream(plainSender(t), server, req.address, [100], { final: false, reserveBytes: 0 });
        const ix = await appendResponseInstruction(server.operator, server.server, req.address, {
          chunkIndex: 1,
          isFinal: true,
          ciphertext: chunk(len),
          reserveBytes: 0,
        });
        return send(t, ix, { feePayer: server.operator });
      },
    })),
  },
  {
    instruction: "complete_request",
    ceiling: LIFECYCLE_CU_LIMIT,
    lastKnown: 693,
    cases: [
      { label: "3-chunk answer, fee > 0", tokensIn: 150, tokensOut: 400 },
      { label: "zero tokens (no fee transfer)", tokensIn: 0, tokensOut: 0 },
    ].map(({ label, tokensIn, tokensOut }) => ({
      label,
      run: async (t: TestSvm) => {
        const { market, server, req } = await lockedRequest(t);
        await stream(plainSender(t), server, req.address, [200, 200, 200]);
        return complete(plainSender(t), market, server, target(req), tokensIn, tokensOut);
      },
    })),
  },
  {
    instruction: "expire_request",
    ceiling: LIFECYCLE_CU_LIMIT,
    lastKnown: 503,
    cases: [
      {
        label: "Open past open_until",
        run: async (t) => {
          await setupMarket(t, { servers: 0 });
          const req = await createRequest(t);
          warpSlots(t.svm, 1_501n);
          return send(t, expireInstruction({ request: req.address, client: req.client.address }));
        },
      },
      {
        label: "Locked past the deadline, no response",
        run: async (t) => {
          const { server, req } = await lockedRequest(t, { responseTimeout: 5n });
          warpSlots(t.svm, 6n);
          return send(t, expireInstruction({ request: req.address, client: req.client.address, server: server.server }));
        },
      },
      {
        label: "Locked past the deadline, partial response closed",
        run: async (t) => {
          const { server, req, response } = await lockedRequest(t, { responseTimeout: 5n });
          await stream(plainSender(t), server, req.address, [200], { final: false });
          warpSlots(t.svm, 6n);
          return send(
            t,
            expireInstruction({
              request: req.address,
              client: req.client.address,
              server: server.server,
              response,
              operator: server.operator.address,
            }),
          );
        },
      },
    ],
  },
  {
    instruction: "rate_server",
    ceiling: LIFECYCLE_CU_LIMIT,
    lastKnown: 200,
    cases: [
      {
        label: "completed response",
        run: async (t) => {
          const { server, req, response } = await completedRequest(t);
          return send(t, rateInstruction(req.client, response, server.server, 4), { feePayer: req.client });
        },
      },
    ],
  },
  {
    instruction: "close_response",
    ceiling: LIFECYCLE_CU_LIMIT,
    lastKnown: 333,
    cases: [
      {
        label: "by the client",
        run: async (t) => {
          const { market, server, req, response } = await completedRequest(t);
          return send(t, closeResponseInstruction(req.client, response, server.operator.address, market.cfg.config), {
            feePayer: req.client,
          });
        },
      },
      {
        label: "by anyone after the grace period",
        run: async (t) => {
          const { market, server, response } = await completedRequest(t);
          warpSlots(t.svm, 9_001n);
          const stranger = await fundedSigner(t.svm);
          return send(t, closeResponseInstruction(stranger, response, server.operator.address, market.cfg.config), {
            feePayer: stranger,
          });
        },
      },
    ],
  },
];
