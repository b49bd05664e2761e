/** `chainference cancel | expire | rate`: definitions (the actions are in actions/request-actions). */
import type { Command } from "commander";
import { lazyAction } from "./lazy-action";

const EXAMPLES = (verb: string, extra = "") => `
Examples:
  $ chainference ${verb} 9y8vP4wD3cXn1tqTQpJ6Yg4v9cWm2kq1dU5Jx3nW4sZa${extra} --url localnet
  $ chainference ${verb} 9y8vP4wD3cXn1tqTQpJ6Yg4v9cWm2kq1dU5Jx3nW4sZa${extra} --url devnet --json`;

export function registerRequestActions(program: Command): void {
  const load = () => import("../actions/request-actions");
  program
    .command("cancel")
    .description("cancel your open request (no server locked it yet): the whole stake and the rent come back")
    .argument("<request>", "request account address")
    .addHelpText("after", EXAMPLES("cancel"))
    .action(lazyAction(load, "cancelAction"));

  program
    .command("expire")
    .description("expire a request past its deadline (anyone may): the stake returns to its client")
    .argument("<request>", "request account address")
    .addHelpText(
      "after",
      `
An open request expires once no server can lock it any more; a locked one once its server missed
the deadline (the server's expired count then rises). The --keypair wallet only pays the fee.
${EXAMPLES("expire")}`,
    )
    .action(lazyAction(load, "expireAction"));

  program
    .command("rate")
    .description("rate the server that answered your request, once, 1 to 5 stars")
    .argument("<request-or-response>", "request (or response) account address")
    .argument("<rating>", "1 to 5")
    .addHelpText("after", EXAMPLES("rate", " 5"))
    .action(lazyAction(load, "rateAction"));
}
