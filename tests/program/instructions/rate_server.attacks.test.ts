/**
 * `rate_server`: attacks and rejections.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/attacks.ts.
 */
import { describe, it } from "vitest";
import {
  CHAINFERENCE_ERROR__ALREADY_RATED,
  CHAINFERENCE_ERROR__CLIENT_MISMATCH,
  CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER,
  CHAINFERENCE_ERROR__INVALID_RATING,
  CHAINFERENCE_ERROR__RESPONSE_NOT_COMPLETED,
  CHAINFERENCE_ERROR__SERVER_MISMATCH,
} from "../../../clients/js/src/generated";
import { expectProgramError } from "../../helpers/errors";
import { expireInstruction, rateInstruction } from "../../helpers/lifecycle";
import { fundedSigner, send, warpSlots } from "../../helpers/svm";
import { t, A, B, answered, completed, useAttacksFixture } from "../fixtures/attacks";

useAttacksFixture();

describe("rate_server attacks", () => {
  it("rate twice → AlreadyRated", async () => {
    const { req, response } = await completed();
    await send(t, rateInstruction(req.client, response, A.server, 5), { feePayer: req.client });
    await expectProgramError(
      send(t, rateInstruction(req.client, response, A.server, 5), { feePayer: req.client }),
      CHAINFERENCE_ERROR__ALREADY_RATED,
    );
  });

  it("rate by a stranger → ClientMismatch", async () => {
    const { response } = await completed();
    const stranger = await fundedSigner(t.svm);
    await expectProgramError(
      send(t, rateInstruction(stranger, response, A.server, 1), { feePayer: stranger }),
      CHAINFERENCE_ERROR__CLIENT_MISMATCH,
    );
  });

  it.each([0, 6, 255])("rate %i → InvalidRating", async (rating) => {
    const { req, response } = await completed();
    await expectProgramError(
      send(t, rateInstruction(req.client, response, A.server, rating), { feePayer: req.client }),
      CHAINFERENCE_ERROR__INVALID_RATING,
    );
  });

  it("rate a response that was never completed → ResponseNotCompleted", async () => {
    const { req, response } = await answered();
    await expectProgramError(
      send(t, rateInstruction(req.client, response, A.server, 1), { feePayer: req.client }),
      CHAINFERENCE_ERROR__RESPONSE_NOT_COMPLETED,
    );
  });

  it("rate an expired request (its partial response was closed) → InvalidAccountOwner", async () => {
    const { req, response } = await answered([100], { responseTimeout: 5n }, A, false);
    warpSlots(t.svm, 6n);
    await send(
      t,
      expireInstruction({
        request: req.address,
        client: req.client.address,
        server: A.server,
        response,
        operator: A.operator.address,
      }),
    );
    await expectProgramError(
      send(t, rateInstruction(req.client, response, A.server, 1), { feePayer: req.client }),
      CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER,
    );
  });

  it("rate crediting (or blaming) another server → ServerMismatch", async () => {
    const { req, response } = await completed();
    await expectProgramError(
      send(t, rateInstruction(req.client, response, B.server, 1), { feePayer: req.client }),
      CHAINFERENCE_ERROR__SERVER_MISMATCH,
    );
  });
});
