/** `chainference rate <request-or-response> <rating>`: definition (the action is in ./action). */
import type { Command } from "commander";
import { lazyAction } from "../../shared/lazy-action";
import { requestExamples } from "../../shared/request-examples";

export function registerRate(program: Command): void {
  program
    .command("rate")
    .description("rate the server that answered your request, once, 1 to 5 stars")
    .argument("<request-or-response>", "request (or response) account address")
    .argument("<rating>", "1 to 5")
    .addHelpText("after", requestExamples("rate", " 5"))
    .action(lazyAction(() => import("./action"), "rateAction"));
}
