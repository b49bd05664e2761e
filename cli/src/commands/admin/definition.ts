/** `chainference admin …`: definitions (the actions are in ./action). */
import type { Command } from "commander";
import { lazyAction } from "../../shared/lazy-action";
import { addLimitOptions, MAX_FEE_BPS } from "./limit-options";

export function registerAdmin(program: Command): void {
  const load = () => import("./action");
  const admin = program
    .command("admin")
    .description("protocol administration: init, fees, limits, pause, fee withdrawal (Config admin only)")
    .addHelpText(
      "after",
      `
Examples:
  $ chainference admin init --url localnet                 # the --keypair wallet becomes admin and treasury
  $ chainference admin set-fee 500                         # 5 %, for requests posted from now on
  $ chainference admin set-limits --open-for 30s --min-stake 0.001
  $ chainference admin pause && chainference admin unpause
  $ chainference admin withdraw-fees
  $ chainference admin show --json`,
    );
  addLimitOptions(admin.command("init").description("create the protocol Config and its 16 fee vaults (once per cluster)")).action(
    lazyAction(load, "initAction"),
  );
  admin
    .command("set-fee")
    .description("set the protocol fee (basis points of the cost; applies to requests posted afterwards)")
    .argument("<bps>", `0-${MAX_FEE_BPS}; 1000 = 10 %`)
    .action(lazyAction(load, "setFeeAction"));
  addLimitOptions(admin.command("set-limits").description("change limits and timeouts (only the flags given)")).action(
    lazyAction(load, "setLimitsAction"),
  );
  admin
    .command("pause")
    .description("stop new requests and locks (settlement, cancel and expire keep working)")
    .action(lazyAction(load, "pauseAction"));
  admin.command("unpause").description("accept new requests again").action(lazyAction(load, "unpauseAction"));
  admin
    .command("withdraw-fees")
    .description("sweep the fees collected in the 16 fee vaults to the treasury")
    .action(lazyAction(load, "withdrawFeesAction"));
  admin.command("show").description("print the protocol Config").action(lazyAction(load, "showAction"));
}
