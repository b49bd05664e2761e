/**
 * `append_prompt`: attacks and rejections.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/attacks.ts.
 */
import { describe, it } from "vitest";
import { CHAINFERENCE_ERROR__CLIENT_MISMATCH, CHAINFERENCE_ERROR__PROMPT_LENGTH_MISMATCH } from "../../../clients/js/src/generated";
import { expectProgramError } from "../../helpers/errors";
import { DEFAULT_REQUEST, appendPromptInstruction } from "../../helpers/lifecycle";
import { fundedSigner, send } from "../../helpers/svm";
import { t, open, useAttacksFixture } from "../fixtures/attacks";

useAttacksFixture();

describe("append_prompt attacks", () => {
  const unsealed = () => open({ promptLen: 500, prompt: new Uint8Array(100) });

  it("append_prompt by a stranger → ClientMismatch", async () => {
    const req = await unsealed();
    const stranger = await fundedSigner(t.svm);
    await expectProgramError(
      send(t, appendPromptInstruction(stranger, req.address, 100, new Uint8Array(10)), { feePayer: stranger }),
      CHAINFERENCE_ERROR__CLIENT_MISMATCH,
    );
  });

  it.each([
    ["rewriting already written bytes (offset 0)", 0],
    ["leaving a gap (offset 101)", 101],
  ])("append_prompt %s → PromptLengthMismatch", async (_label, offset) => {
    const req = await unsealed();
    await expectProgramError(
      send(t, appendPromptInstruction(req.client, req.address, offset, new Uint8Array(10)), { feePayer: req.client }),
      CHAINFERENCE_ERROR__PROMPT_LENGTH_MISMATCH,
    );
  });

  it("append_prompt overflowing prompt_len → PromptLengthMismatch", async () => {
    const req = await unsealed();
    await expectProgramError(
      send(t, appendPromptInstruction(req.client, req.address, 100, new Uint8Array(401)), { feePayer: req.client }),
      CHAINFERENCE_ERROR__PROMPT_LENGTH_MISMATCH,
    );
  });

  it("append_prompt to a sealed request → PromptLengthMismatch", async () => {
    const req = await open();
    await expectProgramError(
      send(t, appendPromptInstruction(req.client, req.address, DEFAULT_REQUEST.promptLen, new Uint8Array(1)), {
        feePayer: req.client,
      }),
      CHAINFERENCE_ERROR__PROMPT_LENGTH_MISMATCH,
    );
  });
});
