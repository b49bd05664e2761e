// Plain Node ESM: the installed @chainference/node (the provider node as a library) on the installed
// @chainference/client. Prints one JSON line that tests/package/consumer.test.ts reads.
import {
  CHAINFERENCE_ERROR__NODE__CONFIG_INVALID,
  DEFAULT_MODEL,
  isChainferenceNodeError,
  parseNodeConfig,
  startProviderNode,
} from "@chainference/node";

const invalid = (() => {
  try {
    parseNodeConfig({ models: "none" }, "inline");
    return false;
  } catch (error) {
    return isChainferenceNodeError(error, CHAINFERENCE_ERROR__NODE__CONFIG_INVALID);
  }
})();

console.log(JSON.stringify({ model: DEFAULT_MODEL.hfId, startProviderNode: typeof startProviderNode, invalid }));
