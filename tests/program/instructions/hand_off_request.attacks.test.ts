/**
 * `hand_off_request` attacks and `lock_request`'s key check: every check a named error.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/attacks.ts.
 */
import { describe, it } from "vitest";
import {
  CHAINFERENCE_ERROR__ALLOWED_INDEX_OUT_OF_RANGE,
  CHAINFERENCE_ERROR__CLIENT_MISMATCH,
  CHAINFERENCE_ERROR__DUPLICATE_ALLOWED_SERVER,
  CHAINFERENCE_ERROR__HAND_OFF_SERVER_MISMATCH,
  CHAINFERENCE_ERROR__KEY_EPOCH_MISMATCH,
  CHAINFERENCE_ERROR__LOCK_KEY_MISMATCH,
  CHAINFERENCE_ERROR__NOTHING_TO_HAND_OFF,
  CHAINFERENCE_ERROR__PROMPT_NOT_SEALED,
  CHAINFERENCE_ERROR__REQUEST_EXPIRED,
  CHAINFERENCE_ERROR__REQUEST_NOT_OPEN,
  CHAINFERENCE_ERROR__SERVER_INACTIVE,
  CHAINFERENCE_ERROR__SERVER_NOT_ALLOWED,
  getUpdateServerInstructionAsync,
} from "../../../clients/js/src/generated";
import { expectProgramError } from "../../helpers/errors";
import { DEFAULT_LIMITS, registerServer, x25519Key } from "../../helpers/fixtures";
import { PRICED_MODEL, allowed, handOffInstruction, lock } from "../../helpers/lifecycle";
import { fundedSigner, send, warpSlots } from "../../helpers/svm";
import { t, market, A, B, sender, open, locked, useAttacksFixture } from "../fixtures/attacks";

useAttacksFixture();

/** The client of `req` sends hand_off_request (index 0 → B unless told). */
const handOff = (req: Awaited<ReturnType<typeof open>>, index = 0, entry = allowed(B.server), server = entry.server) =>
  send(t, handOffInstruction(req.client, req.address, index, entry, server), { feePayer: req.client });

async function updateB(values: { key?: Uint8Array; active?: boolean }) {
  await send(
    t,
    await getUpdateServerInstructionAsync({
      operator: B.operator,
      x25519Key: values.key ?? x25519Key(),
      endpoint: "",
      active: values.active ?? true,
      models: [PRICED_MODEL],
    }),
    { feePayer: B.operator },
  );
}

describe("lock_request key", () => {
  it("lock naming a key other than the server's current one → LockKeyMismatch", async () => {
    const req = await open({ allowed: [allowed(A.server)] });
    await expectProgramError(lock(sender(), market, req.address, A, x25519Key(8)), CHAINFERENCE_ERROR__LOCK_KEY_MISMATCH);
    // And the server's own key locks
    await lock(sender(), market, req.address, A);
  });

  it("lock naming the server's old key after a rotation → LockKeyMismatch", async () => {
    await updateB({ key: x25519Key(42) });
    const req = await open({ allowed: [allowed(B.server, 1)] });
    await expectProgramError(lock(sender(), market, req.address, B, x25519Key()), CHAINFERENCE_ERROR__LOCK_KEY_MISMATCH);
  });
});

describe("hand_off_request attacks", () => {
  it("hand-off signed by someone other than the request's client → ClientMismatch", async () => {
    const req = await open({ allowed: [allowed(A.server)] });
    const stranger = await fundedSigner(t.svm);
    await expectProgramError(
      send(t, handOffInstruction(stranger, req.address, 0, allowed(B.server)), { feePayer: stranger }),
      CHAINFERENCE_ERROR__CLIENT_MISMATCH,
    );
  });

  it("hand-off of a locked request → RequestNotOpen", async () => {
    const { req } = await locked({ allowed: [allowed(A.server)] });
    await expectProgramError(handOff(req), CHAINFERENCE_ERROR__REQUEST_NOT_OPEN);
  });

  it("hand-off of an unsealed request → PromptNotSealed", async () => {
    const req = await open({ allowed: [allowed(A.server)], promptLen: 500, prompt: new Uint8Array(100) });
    await expectProgramError(handOff(req), CHAINFERENCE_ERROR__PROMPT_NOT_SEALED);
  });

  it("hand-off after open_until → RequestExpired", async () => {
    const req = await open({ allowed: [allowed(A.server)] });
    warpSlots(t.svm, DEFAULT_LIMITS.openRequestSlots + 1n);
    await expectProgramError(handOff(req), CHAINFERENCE_ERROR__REQUEST_EXPIRED);
  });

  it("hand-off of an open-to-all request (empty allow-list) → NothingToHandOff", async () => {
    const req = await open({ allowed: [] });
    await expectProgramError(handOff(req), CHAINFERENCE_ERROR__NOTHING_TO_HAND_OFF);
  });

  it("hand-off at an index past the allow-list → AllowedIndexOutOfRange", async () => {
    const req = await open({ allowed: [allowed(A.server)] });
    await expectProgramError(handOff(req, 1), CHAINFERENCE_ERROR__ALLOWED_INDEX_OUT_OF_RANGE);
    await expectProgramError(handOff(req, 255), CHAINFERENCE_ERROR__ALLOWED_INDEX_OUT_OF_RANGE);
  });

  it("hand-off whose entry names another server than the account passed → HandOffServerMismatch", async () => {
    const req = await open({ allowed: [allowed(A.server)] });
    const other = await registerServer(t);
    await expectProgramError(handOff(req, 0, allowed(B.server), other.server), CHAINFERENCE_ERROR__HAND_OFF_SERVER_MISMATCH);
  });

  it("hand-off to a deactivated server → ServerInactive", async () => {
    const req = await open({ allowed: [allowed(A.server)] });
    await updateB({ active: false });
    await expectProgramError(handOff(req), CHAINFERENCE_ERROR__SERVER_INACTIVE);
  });

  it("hand-off wrapped for a key epoch other than the server's current one → KeyEpochMismatch", async () => {
    const req = await open({ allowed: [allowed(A.server)] });
    await expectProgramError(handOff(req, 0, allowed(B.server, 1)), CHAINFERENCE_ERROR__KEY_EPOCH_MISMATCH);
    await updateB({ key: x25519Key(42) });
    await expectProgramError(handOff(req, 0, allowed(B.server, 0)), CHAINFERENCE_ERROR__KEY_EPOCH_MISMATCH);
    // And a wrap for epoch 1 is taken
    await handOff(req, 0, allowed(B.server, 1));
  });

  it("hand-off to a server already on the list (also its own slot) → DuplicateAllowedServer", async () => {
    const req = await open({ allowed: [allowed(A.server), allowed(B.server)] });
    await expectProgramError(handOff(req, 0), CHAINFERENCE_ERROR__DUPLICATE_ALLOWED_SERVER);
    await expectProgramError(handOff(req, 1), CHAINFERENCE_ERROR__DUPLICATE_ALLOWED_SERVER);
  });

  it("the replaced server can no longer lock; the hand-off after a lock landed fails", async () => {
    const req = await open({ allowed: [allowed(A.server)] });
    await handOff(req);
    await expectProgramError(lock(sender(), market, req.address, A), CHAINFERENCE_ERROR__SERVER_NOT_ALLOWED);
    await lock(sender(), market, req.address, B);
    await expectProgramError(handOff(req, 0, allowed(A.server)), CHAINFERENCE_ERROR__REQUEST_NOT_OPEN);
  });
});
