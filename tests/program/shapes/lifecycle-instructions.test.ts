/**
 * Generated account-shape negatives of the request lifecycle instructions (signer, writability, read-only
 * accounts, owner, discriminator, data shape, account counts; flags from program/interface.json).
 */
import { generateNegativeTests, type NegativeCase } from "../../helpers/attacks";
import { DEFAULT_LIMITS } from "../../helpers/fixtures";
import {
  appendPromptInstruction,
  cancelInstruction,
  chunk,
  closeResponseInstruction,
  createRequestInstruction,
  expireInstruction,
  freshNonce,
  allowed,
  handOffInstruction,
  lockInstruction,
  rateInstruction,
} from "../../helpers/lifecycle";
import { fundedSigner, warpSlots } from "../../helpers/svm";
import { t, market, A, B, open, locked, answered, completed, completeIx, appendIx, useAttacksFixture } from "../fixtures/attacks";

useAttacksFixture();

// ---------------------------------------------------------------------------------------------
// Generated per-instruction negatives (signer, writability, read-only accounts, owner, discriminator,
// system program, data shape, too few and too many accounts; flags from program/interface.json).
// Every `build` returns a valid instruction on a fresh chain.
// ---------------------------------------------------------------------------------------------

const CASES: NegativeCase[] = [
  {
    name: "create_request",
    instruction: "create_request",
    programOwned: [2],
    build: async (t) => createRequestInstruction(await fundedSigner(t.svm), freshNonce()),
  },
  {
    name: "append_prompt",
    instruction: "append_prompt",
    programOwned: [1],
    build: async () => {
      const req = await open({ promptLen: 500, prompt: new Uint8Array(100) });
      return appendPromptInstruction(req.client, req.address, 100, new Uint8Array(50));
    },
  },
  {
    name: "cancel_request",
    instruction: "cancel_request",
    programOwned: [1],
    build: async () => {
      const req = await open();
      return cancelInstruction(req.client, req.address);
    },
  },
  {
    name: "lock_request",
    instruction: "lock_request",
    programOwned: [1, 2, 3],
    build: async () => {
      const req = await open();
      return lockInstruction(A.operator, A.server, req.address, market.cfg.config);
    },
  },
  {
    name: "hand_off_request",
    instruction: "hand_off_request",
    programOwned: [1, 2],
    build: async () => {
      const req = await open({ allowed: [allowed(A.server)] });
      return handOffInstruction(req.client, req.address, 0, allowed(B.server));
    },
  },
  {
    name: "append_response (first chunk, creates the response)",
    instruction: "append_response",
    programOwned: [1, 2],
    build: async () => {
      const { req } = await locked();
      return appendIx(A, req.address, { reserveBytes: 512 });
    },
  },
  {
    name: "append_response (later chunk, resizes)",
    instruction: "append_response",
    programOwned: [1, 2, 3],
    build: async () => {
      const { req } = await answered([100], {}, A, false);
      return appendIx(A, req.address, { chunkIndex: 1 });
    },
  },
  {
    name: "complete_request",
    instruction: "complete_request",
    programOwned: [1, 2, 3, 5],
    build: async () => completeIx(await answered()),
  },
  {
    name: "expire_request (Open)",
    instruction: "expire_request",
    absent: [3, 4, 5],
    programOwned: [0, 2],
    build: async () => {
      const req = await open();
      warpSlots(t.svm, DEFAULT_LIMITS.openRequestSlots + 1n);
      return expireInstruction({ request: req.address, client: req.client.address });
    },
  },
  {
    name: "expire_request (Locked, partial response)",
    instruction: "expire_request",
    programOwned: [0, 2, 3, 4],
    build: async () => {
      const { req, response } = await answered([100], { responseTimeout: 5n }, A, false);
      warpSlots(t.svm, 6n);
      return expireInstruction({
        request: req.address,
        client: req.client.address,
        server: A.server,
        response,
        operator: A.operator.address,
      });
    },
  },
  {
    name: "rate_server",
    instruction: "rate_server",
    programOwned: [1, 2],
    build: async () => {
      const { req, response } = await completed();
      return rateInstruction(req.client, response, A.server, 4);
    },
  },
  {
    name: "close_response",
    instruction: "close_response",
    programOwned: [1, 3],
    build: async () => {
      const { req, response } = await completed();
      return closeResponseInstruction(req.client, response, A.operator.address, market.cfg.config);
    },
  },
];

for (const c of CASES) generateNegativeTests(c, () => t);
