/** `chainference expire <request>`: definition (the action is in ./action). */
import type { Command } from "commander";
import { lazyAction } from "../../shared/lazy-action";
import { requestExamples } from "../../shared/request-examples";

export function registerExpire(program: Command): void {
  program
    .command("expire")
    .description("expire a request past its deadline (anyone may): the stake returns to its client")
    .argument("<request>", "request account address")
    .addHelpText(
      "after",
      `
An open request expires once no server can lock it any more; a locked one once its server missed
the deadline (the server's expired count then rises). The --keypair wallet only pays the fee.
${requestExamples("expire")}`,
    )
    .action(lazyAction(() => import("./action"), "expireAction"));
}
