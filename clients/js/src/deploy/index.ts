// `@chainference/client/deploy`: deploying the program through the upgradeable loader (loader v3), an operator's
// tool kept out of the main entry that dApps bundle. The loader-v3 instruction builders stay internal.
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
