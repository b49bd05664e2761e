/**
 * Rent under both forms of the Rent sysvar, on the real target/deploy/chainference.so.
 *
 * A validator's genesis writes the legacy form (3,480 lamports per byte-year, threshold 2.0); LiteSVM
 * and clusters with SIMD-0194 carry 6,960 lamports per byte with threshold 1.0. Both mean the same
 * minimum balance. This file runs under the form `CHAINFERENCE_RENT_FORM` names (vitest.config.ts runs
 * it, and the lifecycle suites, under both), checks that every account the program creates holds
 * exactly the runtime's minimum, and that any other threshold is refused with `UnsupportedRent` by
 * every instruction that computes a minimum balance.
 */
import type { Instruction, KeyPairSigner } from "@solana/kit";
import { beforeEach, describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__UNSUPPORTED_RENT,
  getUpdateServerInstructionAsync,
  getWithdrawFeesInstructionAsync,
} from "../../clients/js/src/generated";
import { expectProgramError } from "../helpers/errors";
import {
  CONFIG_SIZE,
  DEFAULT_SERVER,
  FEE_VAULT_SIZE,
  defaultModels,
  deployerSigner,
  initializeConfigInstruction,
  registerServer,
  serverSize,
  feeVaultAddresses,
} from "../helpers/fixtures";
import {
  DEFAULT_REQUEST,
  appendResponseInstruction,
  chunk,
  createRequest,
  createRequestInstruction,
  freshNonce,
  lock,
  plainSender,
  requestSize,
  responsePda,
  responseSize,
  setupMarket,
  type Market,
} from "../helpers/lifecycle";
import {
  RENT_FORMS,
  balanceOf,
  createTestSvm,
  freshAddress,
  fundedSigner,
  rentFormFromEnv,
  send,
  setRentSysvar,
  type TestSvm,
} from "../helpers/svm";

const form = rentFormFromEnv();
/** The runtime's minimum, written out: (128 + space) bytes × 6,960 lamports in either form. */
const minimum = (space: number): bigint => BigInt(128 + space) * 6_960n;

let t: TestSvm;
beforeEach(async () => {
  t = await createTestSvm();
});

describe(`rent-exempt minimums under the ${form} Rent sysvar`, () => {
  it("runs on the form it names, whose minimum balances equal the other form's", () => {
    const rent = t.svm.getRent();
    expect({ lamportsPerByteYear: rent.lamportsPerByteYear, exemptionThreshold: rent.exemptionThreshold }).toEqual(RENT_FORMS[form]);
    for (const space of [0, CONFIG_SIZE, 1_000, 10_240]) expect(t.svm.minimumBalanceForRentExemption(BigInt(space))).toBe(minimum(space));
  });

  it("funds Config, the 16 fee vaults, a server, a request and a response with exactly their minimum", async () => {
    // Given an initialized protocol and a registered server with 2 models
    const market = await setupMarket(t);
    const server = market.servers[0]!;
    // Then Config and every fee vault hold exactly their minimum, the server too
    expect(balanceOf(t.svm, market.cfg.config)).toBe(minimum(CONFIG_SIZE));
    for (const vault of market.cfg.feeVaults) expect(balanceOf(t.svm, vault)).toBe(minimum(FEE_VAULT_SIZE));
    expect(balanceOf(t.svm, server.server)).toBe(minimum(serverSize(2)));

    // When the server grows to 5 models, then shrinks to 1
    for (const count of [5, 1]) {
      const ix = await getUpdateServerInstructionAsync({
        operator: server.operator,
        ...DEFAULT_SERVER,
        models: defaultModels(count),
        active: true,
      });
      await send(t, ix, { feePayer: server.operator });
      // Then it holds exactly the minimum for its new size
      expect(balanceOf(t.svm, server.server)).toBe(minimum(serverSize(count)));
    }

    // When a client posts a request (the model the server still offers) and the server answers it reserving 2,048 bytes
    const req = await createRequest(t, { model: defaultModels(1)[0]!.hfId, maxPriceIn: 1_000_000n, maxPriceOut: 1_000_000n });
    expect(balanceOf(t.svm, req.address)).toBe(minimum(requestSize(0, DEFAULT_REQUEST.promptLen)) + DEFAULT_REQUEST.stake);
    await lock(plainSender(t), market, req.address, server);
    const ix = await appendResponseInstruction(server.operator, server.server, req.address, {
      chunkIndex: 0,
      isFinal: false,
      ciphertext: chunk(64),
      reserveBytes: 2_048,
    });
    await send(t, ix, { feePayer: server.operator });
    // Then the response holds the minimum for its reserved size
    const [response] = await responsePda(req.address);
    expect(balanceOf(t.svm, response)).toBe(minimum(responseSize(2_048)));
  });
});

describe("a Rent sysvar with any other exemption threshold", () => {
  const UNSUPPORTED = { lamportsPerByteYear: 3_480n, exemptionThreshold: 1.5 };

  it("is refused by initialize_config with UnsupportedRent", async () => {
    setRentSysvar(t.svm, UNSUPPORTED);
    const admin = await deployerSigner(t);
    const ix = await initializeConfigInstruction(admin, { treasury: await freshAddress() }, { feeVaults: await feeVaultAddresses() });
    await expectProgramError(send(t, ix, { feePayer: admin }), CHAINFERENCE_ERROR__UNSUPPORTED_RENT);
  });

  describe("on a running market", () => {
    let market: Market;
    beforeEach(async () => {
      market = await setupMarket(t);
      setRentSysvar(t.svm, UNSUPPORTED);
    });
    const refused = (ix: Instruction, payer: KeyPairSigner) =>
      expectProgramError(send(t, ix, { feePayer: payer }), CHAINFERENCE_ERROR__UNSUPPORTED_RENT);

    it("is refused by register_server", async () => {
      await expectProgramError(registerServer(t), CHAINFERENCE_ERROR__UNSUPPORTED_RENT);
    });

    it("is refused by update_server", async () => {
      const { operator } = market.servers[0]!;
      await refused(
        await getUpdateServerInstructionAsync({ operator, ...DEFAULT_SERVER, models: defaultModels(3), active: true }),
        operator,
      );
    });

    it("is refused by create_request", async () => {
      const client = await fundedSigner(t.svm);
      await refused(await createRequestInstruction(client, freshNonce(), {}), client);
    });

    it("is refused by append_response creating the response", async () => {
      setRentSysvar(t.svm, form);
      const req = await createRequest(t);
      await lock(plainSender(t), market, req.address);
      setRentSysvar(t.svm, UNSUPPORTED);
      const { operator, server } = market.servers[0]!;
      await refused(
        await appendResponseInstruction(operator, server, req.address, { chunkIndex: 0, isFinal: true, ciphertext: chunk(40) }),
        operator,
      );
    });

    it("is refused by withdraw_fees", async () => {
      const { admin, treasury, feeVaults } = market.cfg;
      await refused(await getWithdrawFeesInstructionAsync({ admin, treasury, feeVaults }), admin);
    });
  });
});
