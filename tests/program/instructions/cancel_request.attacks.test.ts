/**
 * `cancel_request`: attacks and rejections.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/attacks.ts.
 */
import { describe, it } from "vitest";
import { CHAINFERENCE_ERROR__CLIENT_MISMATCH, CHAINFERENCE_ERROR__REQUEST_NOT_OPEN } from "../../../clients/js/src/generated";
import { expectProgramError } from "../../helpers/errors";
import { cancelInstruction, lock } from "../../helpers/lifecycle";
import { fundedSigner, send } from "../../helpers/svm";
import { t, open, locked, useAttacksFixture } from "../fixtures/attacks";

useAttacksFixture();

describe("cancel_request attacks", () => {
  it("cancel after lock (stealing the stake back from the server) → RequestNotOpen", async () => {
    const { req } = await locked();
    await expectProgramError(
      send(t, cancelInstruction(req.client, req.address), { feePayer: req.client }),
      CHAINFERENCE_ERROR__REQUEST_NOT_OPEN,
    );
  });

  it("cancel by a stranger → ClientMismatch", async () => {
    const req = await open();
    const stranger = await fundedSigner(t.svm);
    await expectProgramError(
      send(t, cancelInstruction(stranger, req.address), { feePayer: stranger }),
      CHAINFERENCE_ERROR__CLIENT_MISMATCH,
    );
  });
});
