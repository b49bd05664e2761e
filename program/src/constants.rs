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
/// Every response chunk carries one Poly1305 tag.
pub const CHUNK_TAG_LEN: usize = 16;
/// Ratings are `1..=MAX_RATING`.
pub const MAX_RATING: u8 = 5;
/// Basis-point denominator.
pub const BPS_DENOMINATOR: u64 = 10_000;
/// Prices are per this many tokens.
pub const TOKENS_PER_PRICE_UNIT: u64 = 1_000_000;

/// The upgradeable BPF loader (`BPFLoaderUpgradeab1e11111111111111111111111`): owns the ProgramData
/// account whose upgrade authority may initialize the Config.
pub const BPF_LOADER_UPGRADEABLE: pinocchio::Address =
    pinocchio::Address::from_str_const("BPFLoaderUpgradeab1e11111111111111111111111");
