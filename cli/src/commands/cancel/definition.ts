/** `chainference cancel <request>`: definition (the action is in ./action). */
import type { Command } from "commander";
import { lazyAction } from "../../shared/lazy-action";
import { requestExamples } from "../../shared/request-examples";

export function registerCancel(program: Command): void {
  program
    .command("cancel")
    .description("cancel your open request (no server locked it yet): the whole stake and the rent come back")
    .argument("<request>", "request account address")
    .addHelpText("after", requestExamples("cancel"))
    .action(lazyAction(() => import("./action"), "cancelAction"));
}
