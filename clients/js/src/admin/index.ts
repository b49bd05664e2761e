// Protocol administration (program deployment is `@chainference/client/deploy`).
export {
  FEE_VAULT_SHARDS,
  defaultProtocolParameters,
  findFeeVaults,
  initializeProtocol,
  updateProtocol,
  withdrawFees,
  type ProtocolParameters,
} from "./admin-operations";
