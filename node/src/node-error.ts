/**
 * Errors of the provider node outside inference (configuration, keys, keyring).
 *
 * Numeric codes in the reserved range 7_001_000 – 7_001_999 (the backends use 7_000_000 – 7_000_999),
 * stable names, a typed context per code and a message an operator can act on. Never reorder or reuse a code.
 */
export const CHAINFERENCE_ERROR__NODE__CONFIG_INVALID = 7_001_001;
export const CHAINFERENCE_ERROR__NODE__CONFIG_MISSING = 7_001_002;
export const CHAINFERENCE_ERROR__NODE__KEYPAIR_MISSING = 7_001_003;
export const CHAINFERENCE_ERROR__NODE__KEYPAIR_INVALID = 7_001_004;
export const CHAINFERENCE_ERROR__NODE__UNKNOWN_CLUSTER = 7_001_005;
export const CHAINFERENCE_ERROR__NODE__KEYRING_UNREADABLE = 7_001_006;

/** Context carried by each node error code. */
export type NodeErrorContext = {
  [CHAINFERENCE_ERROR__NODE__CONFIG_INVALID]: { source: string; reason: string };
  [CHAINFERENCE_ERROR__NODE__CONFIG_MISSING]: { path: string };
  [CHAINFERENCE_ERROR__NODE__KEYPAIR_MISSING]: { path: string };
  [CHAINFERENCE_ERROR__NODE__KEYPAIR_INVALID]: { path: string; reason: string };
  [CHAINFERENCE_ERROR__NODE__UNKNOWN_CLUSTER]: { value: string };
  [CHAINFERENCE_ERROR__NODE__KEYRING_UNREADABLE]: { path: string; reason: string };
};

/** Any node error code. */
export type NodeErrorCode = keyof NodeErrorContext;

const NAMES: Record<NodeErrorCode, string> = {
  [CHAINFERENCE_ERROR__NODE__CONFIG_INVALID]: "CHAINFERENCE_ERROR__NODE__CONFIG_INVALID",
  [CHAINFERENCE_ERROR__NODE__CONFIG_MISSING]: "CHAINFERENCE_ERROR__NODE__CONFIG_MISSING",
  [CHAINFERENCE_ERROR__NODE__KEYPAIR_MISSING]: "CHAINFERENCE_ERROR__NODE__KEYPAIR_MISSING",
  [CHAINFERENCE_ERROR__NODE__KEYPAIR_INVALID]: "CHAINFERENCE_ERROR__NODE__KEYPAIR_INVALID",
  [CHAINFERENCE_ERROR__NODE__UNKNOWN_CLUSTER]: "CHAINFERENCE_ERROR__NODE__UNKNOWN_CLUSTER",
  [CHAINFERENCE_ERROR__NODE__KEYRING_UNREADABLE]: "CHAINFERENCE_ERROR__NODE__KEYRING_UNREADABLE",
};

const MESSAGES: { [C in NodeErrorCode]: (context: NodeErrorContext[C]) => string } = {
  [CHAINFERENCE_ERROR__NODE__CONFIG_INVALID]: ({ source, reason }) => `Invalid node configuration in ${source}: ${reason}`,
  [CHAINFERENCE_ERROR__NODE__CONFIG_MISSING]: ({ path }) =>
    `Node configuration file ${path} does not exist. Omit --config to serve the embedded default model.`,
  [CHAINFERENCE_ERROR__NODE__KEYPAIR_MISSING]: ({ path }) =>
    `No keypair at ${path}. Create one with \`solana-keygen new -o ${path}\` or pass --keypair <file>.`,
  [CHAINFERENCE_ERROR__NODE__KEYPAIR_INVALID]: ({ path, reason }) =>
    `${path} is not a Solana keypair file (a JSON array of 64 bytes): ${reason}`,
  [CHAINFERENCE_ERROR__NODE__UNKNOWN_CLUSTER]: ({ value }) =>
    `--url ${JSON.stringify(value)} is neither a cluster moniker (localnet, devnet, testnet, mainnet-beta, or l/d/t/m) nor an http(s) URL`,
  [CHAINFERENCE_ERROR__NODE__KEYRING_UNREADABLE]: ({ path, reason }) =>
    `Cannot use the server keyring ${path}: ${reason}. Restore it from a backup; without it, requests encrypted for its keys cannot be read.`,
};

/** Error thrown by the provider node's configuration and key handling. */
export class ChainferenceNodeError<C extends NodeErrorCode = NodeErrorCode> extends Error {
  readonly code: C;
  readonly context: NodeErrorContext[C];

  constructor(code: C, context: NodeErrorContext[C], options?: { cause?: unknown }) {
    super(MESSAGES[code](context), options);
    this.name = NAMES[code];
    this.code = code;
    this.context = context;
  }
}

/**
 * Narrows `error` to a node error, optionally of one code.
 *
 * @example
 * if (isChainferenceNodeError(e, CHAINFERENCE_ERROR__NODE__KEYPAIR_MISSING)) console.error(e.message);
 */
export function isChainferenceNodeError<C extends NodeErrorCode>(error: unknown, code?: C): error is ChainferenceNodeError<C> {
  return error instanceof ChainferenceNodeError && (code === undefined || error.code === code);
}
