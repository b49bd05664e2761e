/**
 * `close_server`: happy paths.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/lifecycle.ts.
 */
import { describe, expect, it } from "vitest";
import { CHAINFERENCE_ERROR__SERVER_HAS_ACTIVE_LOCKS, getCloseServerInstructionAsync } from "../../../clients/js/src/generated";
import { expectProgramError } from "../../helpers/errors";
import { readServer } from "../../helpers/fixtures";
import { accountExists, allowed, complete, expireInstruction, lock, stream } from "../../helpers/lifecycle";
import { lamportDelta } from "../../helpers/lamports";
import { balanceOf, warpSlots } from "../../helpers/svm";
import { t, market, ledger, server, open, answered, target, useLifecycleFixture } from "../fixtures/lifecycle";

useLifecycleFixture();

describe("close_server", () => {
  it("is refused while a lock is active (ServerHasActiveLocks) and allowed once the request settled", async () => {
    // Given the server locked a request
    const req = await open();
    await lock(ledger, market, req.address, server);
    const closeIx = await getCloseServerInstructionAsync({ operator: server.operator });
    // When the operator closes the server / Then ServerHasActiveLocks
    await expectProgramError(ledger.send(closeIx, { feePayer: server.operator }), CHAINFERENCE_ERROR__SERVER_HAS_ACTIVE_LOCKS);
    // When the request is answered and completed
    await stream(ledger, server, req.address, [100]);
    await complete(ledger, market, server, target(req), 5, 5);
    expect(readServer(t, server.server).activeLocks).toBe(0);
    // Then the server closes, every lamport back to the operator
    const held = balanceOf(t.svm, server.server);
    const report = await ledger.send(closeIx, { feePayer: server.operator });
    expect(lamportDelta(report, server.operator.address)).toBe(held - report.fee);
    expect(accountExists(t, server.server)).toBe(false);
  });

  it("is allowed after the locked request expired", async () => {
    // Given a lock that expired
    const req = await open({ responseTimeout: 10n });
    await lock(ledger, market, req.address, server);
    warpSlots(t.svm, 11n);
    await ledger.send(expireInstruction({ request: req.address, client: req.client.address, server: server.server }), {
      feePayer: req.client,
    });
    // When the operator closes the server / Then it succeeds
    await ledger.send(await getCloseServerInstructionAsync({ operator: server.operator }), {
      feePayer: server.operator,
    });
    expect(accountExists(t, server.server)).toBe(false);
  });
});
