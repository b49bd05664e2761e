/**
 * `hand_off_request`: happy paths.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/lifecycle.ts.
 */
import { describe, expect, it } from "vitest";
import { RequestStatus } from "../../../clients/js/src/generated";
import { decodeRequestAccount } from "../../../clients/js/src/requests/request-account";
import { allowed, handOffInstruction, lock, readRequest } from "../../helpers/lifecycle";
import { lamportDelta } from "../../helpers/lamports";
import { dataOf } from "../../helpers/svm";
import { t, market, ledger, server, open, useLifecycleFixture } from "../fixtures/lifecycle";

useLifecycleFixture();

const allowList = (request: Parameters<typeof readRequest>[1]) => decodeRequestAccount(request, dataOf(t.svm, request)!).allowed;

describe("hand_off_request", () => {
  it("replaces the named entry in place (size, prompt and the other entries unchanged); the new server locks", async () => {
    // Given a request naming server 0 only, with a 200-byte prompt
    const next = market.servers[1]!;
    const req = await open({ allowed: [allowed(server.server, 0, 0x11)] });
    const before = dataOf(t.svm, req.address)!;
    // When the client hands it to server 1
    const entry = allowed(next.server, 0, 0x22);
    const report = await ledger.send(handOffInstruction(req.client, req.address, 0, entry), { feePayer: req.client });
    // Then the only entry is server 1's wrap, and nothing else of the account changed
    const after = dataOf(t.svm, req.address)!;
    expect(after.length).toBe(before.length);
    expect(allowList(req.address)).toEqual([entry]);
    const entryStart = 393;
    expect(after.subarray(0, entryStart)).toEqual(before.subarray(0, entryStart));
    expect(after.subarray(entryStart + 84)).toEqual(before.subarray(entryStart + 84));
    // And no lamports moved but the client's fee
    expect(lamportDelta(report, req.address)).toBe(0n);
    expect(lamportDelta(report, req.client.address)).toBe(-report.fee);
    // And the new server locks it
    await lock(ledger, market, req.address, next);
    expect(readRequest(t, req.address)).toMatchObject({ status: RequestStatus.Locked, lockedBy: next.server });
  });

  it("replaces only the entry at the index of a longer list", async () => {
    // Given a request naming server 0 and an unregistered third address
    const third = market.servers[1]!;
    const req = await open({ allowed: [allowed(server.server, 0, 1), allowed(market.cfg.treasury, 0, 2)] });
    // When the client replaces entry 1 with server 1
    await ledger.send(handOffInstruction(req.client, req.address, 1, allowed(third.server, 0, 3)), { feePayer: req.client });
    // Then entry 0 is untouched
    expect(allowList(req.address).map((a) => [a.server, a.wrappedKey[0]])).toEqual([
      [server.server, 1],
      [third.server, 3],
    ]);
  });
});
