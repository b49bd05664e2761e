/**
 * Deploys target/deploy/chainference.so with the upgradeable BPF loader (loader-v3) over JSON-RPC, then
 * initializes Config. See `scripts/deploy --help` and docs/localnet.md.
 */
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { address, createKeyPairSignerFromPrivateKeyBytes, getAddressEncoder, type KeyPairSigner } from "@solana/kit";
import {
  CHAINFERENCE_PROGRAM_ADDRESS,
  createRpcChain,
  defaultProtocolParameters,
  deployProgram,
  fetchUpgradeableProgram,
  findConfigPda,
  getConfigDecoder,
  initializeProtocol,
  LOADER_V3_BUFFER_METADATA_LEN,
  LOADER_V3_PROGRAM_ACCOUNT_LEN,
  LOADER_V3_PROGRAMDATA_METADATA_LEN,
  TransactionFailedError,
} from "@chainference/client";
import { loadKeypairSigner, parseKeypairFile, resolveSolanaSettings } from "../node/src/config";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const LAMPORTS_PER_SOL = 1_000_000_000;

const HELP = `Usage: scripts/deploy [options]

Deploys the Chainference program with the upgradeable BPF loader and initializes its Config,
like \`solana program deploy\` followed by \`chainference admin init\`.

Options:
  -u, --url <url|moniker>     cluster: localnet, devnet, mainnet-beta or an http(s) URL
                              (default: Solana CLI config, else localnet)
  -k, --keypair <path>        deployer: pays, becomes upgrade authority, Config admin and treasury
                              (default: Solana CLI config, else ~/.config/solana/id.json)
      --program-keypair <p>   program id keypair (default target/deploy/chainference-keypair.json,
                              created when missing, like cargo build-sbf does)
      --so <path>             program binary (default target/deploy/chainference.so)
      --max-len <bytes>       ProgramData size reserved for upgrades (default 2 x the binary)
      --treasury <address>    fee treasury (default: the deployer)
      --skip-init             deploy only
      --yes                   required for mainnet-beta (real SOL)
  -h, --help
`;

async function loadOrCreateProgramKeypair(path: string): Promise<{ signer: KeyPairSigner; created: boolean }> {
  if (existsSync(path)) return { signer: await loadKeypairSigner(path), created: false };
  const seed = crypto.getRandomValues(new Uint8Array(32));
  const signer = await createKeyPairSignerFromPrivateKeyBytes(seed, true);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify([...seed, ...getAddressEncoder().encode(signer.address)]), { mode: 0o600 });
  await chmod(path, 0o600);
  // Read back through the same parser every other keypair goes through.
  parseKeypairFile(await readFile(path, "utf8"), path);
  return { signer, created: true };
}

const sol = (lamports: bigint) => `${(Number(lamports) / LAMPORTS_PER_SOL).toFixed(6)} SOL`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: "string", short: "u" },
      keypair: { type: "string", short: "k" },
      "program-keypair": { type: "string" },
      so: { type: "string" },
      "max-len": { type: "string" },
      treasury: { type: "string" },
      "skip-init": { type: "boolean", default: false },
      yes: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const settings = await resolveSolanaSettings({
    ...(values.url ? { url: values.url } : {}),
    ...(values.keypair ? { keypair: values.keypair } : {}),
  });
  if (/mainnet/.test(settings.url) && !values.yes) throw new Error(`${settings.url} is mainnet: this spends real SOL. Re-run with --yes.`);
  const deployer = await loadKeypairSigner(settings.keypairPath);
  const programPath = resolve(values["program-keypair"] ?? join(ROOT, "target", "deploy", "chainference-keypair.json"));
  const { signer: programKeypair, created } = await loadOrCreateProgramKeypair(programPath);
  const elf = await readFile(resolve(values.so ?? join(ROOT, "target", "deploy", "chainference.so")));
  const maxDataLen = values["max-len"] ? Number(values["max-len"]) : elf.length * 2;
  const chain = createRpcChain(settings.url);
  const say = (line: string) => process.stdout.write(`${line}\n`);

  say(`cluster      ${settings.url}`);
  say(`deployer     ${deployer.address} (${settings.keypairPath})`);
  say(`program id   ${programKeypair.address} (${programPath}${created ? ", created now: back it up" : ""})`);
  say(`binary       ${elf.length} bytes, max data length ${maxDataLen}`);
  if (programKeypair.address !== CHAINFERENCE_PROGRAM_ADDRESS)
    say(
      `note         the generated client targets ${CHAINFERENCE_PROGRAM_ADDRESS}; SDK, node and CLI reach this deployment only\n` +
        `             after PROGRAM_ADDRESS in scripts/generate-idl.ts is set to ${programKeypair.address} and the client regenerated`,
    );

  // What it will cost: ProgramData + program rent stay locked; the buffer's rent comes back at deploy.
  const existing = await fetchUpgradeableProgram(chain, programKeypair.address);
  const writes = Math.ceil(elf.length / 1000);
  const rent = existing
    ? await chain.getMinimumBalanceForRentExemption(LOADER_V3_BUFFER_METADATA_LEN + elf.length)
    : (await chain.getMinimumBalanceForRentExemption(LOADER_V3_PROGRAMDATA_METADATA_LEN + maxDataLen)) +
      (await chain.getMinimumBalanceForRentExemption(LOADER_V3_PROGRAM_ACCOUNT_LEN)) +
      (await chain.getMinimumBalanceForRentExemption(LOADER_V3_BUFFER_METADATA_LEN + elf.length));
  const needed = rent + BigInt(writes + 4) * 10_000n;
  const balance = await chain.getBalance(deployer.address);
  say(
    `balance      ${sol(balance)}; needs about ${sol(needed)} (${existing ? "upgrade" : "rent for program + ProgramData"}, ~${writes + 3} transactions)`,
  );
  if (balance < needed)
    throw new Error(
      `${deployer.address} holds ${sol(balance)}, needs about ${sol(needed)}${/devnet/.test(settings.url) ? " (solana airdrop 2 --url devnet)" : ""}`,
    );

  const started = Date.now();
  let shown = -1;
  const deployed = await deployProgram(chain, {
    authority: deployer,
    program: programKeypair,
    elf,
    maxDataLen,
    onProgress: ({ phase, done, total, buffer }) => {
      const pct = Math.floor((done / total) * 10);
      if (phase === "write" && pct !== shown) ((shown = pct), say(`write        ${done}/${total} chunks`));
      if (phase !== "write" && done === 0)
        say(
          phase === "buffer"
            ? `buffer       ${buffer} (if this run fails: solana program close ${buffer} returns its rent)`
            : existing
              ? "upgrade      sending"
              : "deploy       sending",
        );
    },
  });
  const info = await fetchUpgradeableProgram(chain, deployed.program);
  say(
    `${deployed.upgraded ? "upgraded" : "deployed"}     ${deployed.program} in ${((Date.now() - started) / 1000).toFixed(1)} s, ${deployed.transactions.length} transactions, ${sol(deployed.spent)} spent`,
  );
  say(`programdata  ${deployed.programData}, upgrade authority ${info?.upgradeAuthority ?? "none"}`);

  if (values["skip-init"]) return;
  const [config] = await findConfigPda({ programAddress: deployed.program });
  const current = await chain.getAccount(config);
  if (current) {
    const { admin } = getConfigDecoder().decode(current.data);
    // Someone else initialized this deployment: it is not ours to run (the program only lets the upgrade
    // authority initialize, so this means another deployer's program, or a Config handed to another admin).
    if (admin !== deployer.address)
      throw new Error(
        `config ${config} is already initialized with admin ${admin}, not the deployer ${deployer.address}: ` +
          "this deployment is administered by another key (pass that --keypair, or deploy at a new --program-keypair)",
      );
    say(`config       ${config} already initialized (admin ${admin}, the deployer)`);
    return;
  }
  const treasury = values.treasury ? address(values.treasury) : deployer.address;
  const sent = await initializeProtocol(chain, deployer, defaultProtocolParameters(treasury), { programAddress: deployed.program });
  say(`config       ${config} initialized: admin ${deployer.address}, treasury ${treasury}, 10 % fee (${sent.signature})`);
}

main().catch((e: unknown) => {
  const logs = e instanceof TransactionFailedError ? e.failure.logs.map((l) => `\n  ${l}`).join("") : "";
  process.stderr.write(`deploy failed: ${e instanceof Error ? e.message : String(e)}${logs}\n`);
  process.exit(1);
});
