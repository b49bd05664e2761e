/**
 * `close_response`: attacks and rejections.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/attacks.ts.
 */
import { describe, it } from "vitest";
import {
  CHAINFERENCE_ERROR__GRACE_PERIOD_ACTIVE,
  CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
  CHAINFERENCE_ERROR__RESPONSE_NOT_COMPLETED,
} from "../../../clients/js/src/generated";
import { expectProgramError } from "../../helpers/errors";
import { DEFAULT_LIMITS } from "../../helpers/fixtures";
import { closeResponseInstruction } from "../../helpers/lifecycle";
import { fundedSigner, send, warpSlots } from "../../helpers/svm";
import { t, market, A, answered, completed, useAttacksFixture } from "../fixtures/attacks";

useAttacksFixture();

describe("close_response attacks", () => {
  it("close early by a stranger (grace period active) → GracePeriodActive", async () => {
    const { response } = await completed();
    warpSlots(t.svm, DEFAULT_LIMITS.closeGraceSlots); // exactly completed + grace: still protected
    const stranger = await fundedSigner(t.svm);
    await expectProgramError(
      send(t, closeResponseInstruction(stranger, response, A.operator.address, market.cfg.config), {
        feePayer: stranger,
      }),
      CHAINFERENCE_ERROR__GRACE_PERIOD_ACTIVE,
    );
  });

  it("close a response before completion → ResponseNotCompleted", async () => {
    const { req, response } = await answered();
    await expectProgramError(
      send(t, closeResponseInstruction(req.client, response, A.operator.address, market.cfg.config), {
        feePayer: req.client,
      }),
      CHAINFERENCE_ERROR__RESPONSE_NOT_COMPLETED,
    );
  });

  it("close diverting the rent to another wallet → OperatorMismatch", async () => {
    const { req, response } = await completed();
    await expectProgramError(
      send(t, closeResponseInstruction(req.client, response, req.client.address, market.cfg.config), {
        feePayer: req.client,
      }),
      CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
    );
  });

  it("close passing the response as its own operator (one account, two roles) → OperatorMismatch", async () => {
    const { req, response } = await completed();
    await expectProgramError(
      send(t, closeResponseInstruction(req.client, response, response, market.cfg.config), { feePayer: req.client }),
      CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
    );
  });
});
