import { ChainferenceCodedError, defineErrorFamily, type ErrorMessages } from "@chainference/client";

import * as codes from "./node-error-codes";

export * from "./node-error-codes";

/** Context carried by each node error code. */
export type NodeErrorContext = {
  [codes.CHAINFERENCE_ERROR__NODE__CONFIG_INVALID]: { source: string; reason: string };
  [codes.CHAINFERENCE_ERROR__NODE__CONFIG_MISSING]: { path: string };
  [codes.CHAINFERENCE_ERROR__NODE__KEYPAIR_MISSING]: { path: string };
  [codes.CHAINFERENCE_ERROR__NODE__KEYPAIR_INVALID]: { path: string; reason: string };
  [codes.CHAINFERENCE_ERROR__NODE__UNKNOWN_CLUSTER]: { value: string };
  [codes.CHAINFERENCE_ERROR__NODE__KEYRING_UNREADABLE]: { path: string; reason: string };
  [codes.CHAINFERENCE_ERROR__NODE__KEYRING_LOCKED]: { path: string; reason: string };
};

/** Any node error code. */
export type NodeErrorCode = keyof NodeErrorContext;

const messages: ErrorMessages<NodeErrorContext> = {
  [codes.CHAINFERENCE_ERROR__NODE__CONFIG_INVALID]: ({ source, reason }) => `Invalid node configuration in ${source}: ${reason}`,
  [codes.CHAINFERENCE_ERROR__NODE__CONFIG_MISSING]: ({ path }) =>
    `Node configuration file ${path} does not exist. Omit --config to serve the embedded default model.`,
  [codes.CHAINFERENCE_ERROR__NODE__KEYPAIR_MISSING]: ({ path }) =>
    `No keypair at ${path}. Create one with \`chainference keygen\` (or \`solana-keygen new -o ${path}\`) or pass --keypair <file>; on localnet or devnet, fund it with \`chainference airdrop 1\`.`,
  [codes.CHAINFERENCE_ERROR__NODE__KEYPAIR_INVALID]: ({ path, reason }) =>
    `${path} is not a Solana keypair file (a JSON array of 64 bytes): ${reason}`,
  [codes.CHAINFERENCE_ERROR__NODE__UNKNOWN_CLUSTER]: ({ value }) =>
    `--url ${JSON.stringify(value)} is neither a cluster moniker (localnet, devnet, testnet, mainnet-beta, or l/d/t/m) nor an http(s) URL`,
  [codes.CHAINFERENCE_ERROR__NODE__KEYRING_UNREADABLE]: ({ path, reason }) =>
    `Cannot use the server keyring ${path}: ${reason}. Restore it from a backup; without it, requests encrypted for its keys cannot be read.`,
  [codes.CHAINFERENCE_ERROR__NODE__KEYRING_LOCKED]: ({ path, reason }) =>
    `Cannot open the encrypted server keyring ${path}: ${reason}. Set CHAINFERENCE_KEYRING_PASSPHRASE to the passphrase it was written with.`,
};

const NODE_ERRORS = defineErrorFamily<NodeErrorContext>("node", codes, messages);

/**
 * Error thrown by the provider node's configuration and key handling.
 *
 * @example
 * throw new ChainferenceNodeError(CHAINFERENCE_ERROR__NODE__CONFIG_MISSING, { path });
 */
export class ChainferenceNodeError<C extends NodeErrorCode = NodeErrorCode> extends ChainferenceCodedError<NodeErrorContext, C> {
  constructor(code: C, context: NodeErrorContext[C], options?: ErrorOptions) {
    super(NODE_ERRORS, code, context, options);
  }
}

/**
 * Narrows `error` to a node error, optionally of one code (by name and code, not `instanceof`).
 *
 * @example
 * if (isChainferenceNodeError(e, CHAINFERENCE_ERROR__NODE__KEYPAIR_MISSING)) console.error(e.message);
 */
export const isChainferenceNodeError = NODE_ERRORS.is;

/**
 * Stable name of a node error code.
 *
 * @example
 * getNodeErrorName(CHAINFERENCE_ERROR__NODE__CONFIG_MISSING); // "CHAINFERENCE_ERROR__NODE__CONFIG_MISSING"
 */
export const getNodeErrorName: (code: NodeErrorCode) => string = NODE_ERRORS.getName;
