/**
 * Fixed labels and sizes of the session protocol (docs/sessions.md §2–§3). Every string is used as UTF-8 bytes.
 */

/** HKDF info of the voucher signer's Ed25519 seed. */
export const HKDF_INFO_SESSION_SIGNER = "chainference/v2/session-signer";
/** HKDF info of the client's per-session X25519 secret. */
export const HKDF_INFO_SESSION_X25519 = "chainference/v2/session-x25519";
/** HKDF info of the local history key. */
export const HKDF_INFO_SESSION_HISTORY = "chainference/v2/session-history";
/** HKDF info of the frame key (`HKDF(X25519 shared secret, salt = session address, info)`). */
export const HKDF_INFO_SESSION = "chainference/v2/session";
/** Prefix of the message the session key signs to ask for an answer. */
export const SESSION_ASK_MESSAGE_PREFIX = "chainference/v1/session-ask";
/** Prefix of the message the session key signs to ask the node for the cooperative close. */
export const SESSION_CLOSE_MESSAGE_PREFIX = "chainference/v1/session-close";
/** Prefix of every frame's associated data. */
export const SESSION_FRAME_AAD_PREFIX = "cfs2";

/** Ed25519 signature length. */
export const SESSION_SIGNATURE_LENGTH = 64;
/** The ask message: prefix (27) + session (32) + answer (4) + client key (32) + key epoch (4) + sha256(prompt frame) (32). */
export const SESSION_ASK_MESSAGE_LENGTH = 131;
/** The close message: prefix (29) + session (32). */
export const SESSION_CLOSE_MESSAGE_LENGTH = 61;
/** Frame associated data: prefix (4) + session (32) + answer (4) + direction (1) + chunk (4) + final (1). */
export const SESSION_FRAME_AAD_LENGTH = 46;

/** Version of the JSON documents of the off-chain protocol (`"v"` field). */
export const SESSION_PROTOCOL_VERSION = 1;
/** Path prefix of every session route. */
export const SESSION_ROUTE_PREFIX = "/v1/sessions";
