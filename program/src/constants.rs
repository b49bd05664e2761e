//! Protocol constants (`docs/protocol.md` § Constants).

/// Models per server.
pub const MAX_MODELS: usize = 16;
/// Hugging Face `org/name` length.
pub const MAX_HF_ID_LEN: usize = 96;
/// Revision (git sha or branch/tag) length; empty = any.
pub const MAX_REVISION_LEN: usize = 40;
/// Quantization tag length.
pub const MAX_QUANT_LEN: usize = 16;
/// Endpoint URL length.
pub const MAX_ENDPOINT_LEN: usize = 128;
/// Allow-list length of a request.
pub const MAX_ALLOWED_SERVERS: usize = 8;
/// Maximum price, in lamports per 1,000,000 tokens (1,000 SOL).
pub const MAX_PRICE_PER_M: u64 = 1_000_000_000_000;
/// Protocol fee cap in basis points (25 %).
pub const MAX_FEE_BPS: u16 = 2_500;
/// Number of fee vault shards; shard = `nonce % FEE_VAULT_SHARDS`.
pub const FEE_VAULT_SHARDS: usize = 16;
/// Wrapped data key: 32-byte key + 16-byte Poly1305 tag.
pub const WRAPPED_KEY_LEN: usize = 48;
/// Every response chunk carries its random XChaCha20 nonce (24) and one Poly1305 tag (16).
pub const CHUNK_OVERHEAD_LEN: usize = 40;
/// Ratings are `1..=MAX_RATING`.
pub const MAX_RATING: u8 = 5;
/// Basis-point denominator.
pub const BPS_DENOMINATOR: u64 = 10_000;
/// Prices are per this many tokens.
pub const TOKENS_PER_PRICE_UNIT: u64 = 1_000_000;
/// Slots an `open_session`'s `open_slot` may lag the current slot, and slots after `open_slot`
/// before a closed session's account may be freed: together they keep one session address from
/// ever hosting two sessions (`docs/sessions.md` § 1). May only ever decrease between deployments.
pub const OPEN_SLOT_WINDOW: u64 = 150;
/// Shortest grace period a session may set: slots the server keeps to settle after the client
/// requests close (one blockhash lifetime).
pub const MIN_GRACE_SLOTS: u64 = 150;
/// Longest session lifetime: `expiry_slot − now ≤ MAX_SESSION_SLOTS` at open (≈ 30 days at 400 ms).
pub const MAX_SESSION_SLOTS: u64 = 6_480_000;
/// A completion counts in `Server::completed` only when its protocol fee is at least this many
/// lamports: a counted completion costs a self-dealer ≥ this much it cannot recover
/// (`docs/reputation-system.md`). Smaller completions still add their cost to `paid_volume` and
/// weigh their rating by it.
pub const MIN_COUNTED_FEE: u64 = 10_000;
/// Voucher length in bytes (`docs/sessions.md` § 2).
pub const VOUCHER_LEN: usize = 54;
/// Voucher magic: `'C'`, version 1.
pub const VOUCHER_MAGIC: [u8; 2] = [0x43, 0x01];

/// The upgradeable BPF loader (`BPFLoaderUpgradeab1e11111111111111111111111`): owns the ProgramData
/// account whose upgrade authority may initialize the Config.
pub const BPF_LOADER_UPGRADEABLE: pinocchio::Address =
    pinocchio::Address::from_str_const("BPFLoaderUpgradeab1e11111111111111111111111");
