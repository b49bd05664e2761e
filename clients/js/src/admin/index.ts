// Protocol administration and program deployment. The loader-v3 instruction builders stay internal.
export {
  FEE_VAULT_SHARDS,
  defaultProtocolParameters,
  findFeeVaults,
  initializeProtocol,
  updateProtocol,
  withdrawFees,
  type ProtocolParameters,
} from "./admin-operations";
export {
  LOADER_V3_BUFFER_METADATA_LEN,
  LOADER_V3_PROGRAMDATA_METADATA_LEN,
  LOADER_V3_PROGRAM_ACCOUNT_LEN,
  LOADER_V3_PROGRAM_ADDRESS,
  deployProgram,
  fetchUpgradeableProgram,
  type DeployProgramInput,
  type DeployedProgram,
  type ProgramDataInfo,
} from "./program-deploy";
