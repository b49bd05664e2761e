//! Server PDA `["server", operator]`, `308 + 175 × model_count` bytes (`docs/protocol.md` § Server).

use pinocchio::error::ProgramError;

use super::{
    cast, cast_mut, check_header, invalid_account_data, write_header, AccountDiscriminator,
};
use crate::{
    accessors,
    constants::{MAX_ENDPOINT_LEN, MAX_HF_ID_LEN, MAX_MODELS, MAX_QUANT_LEN, MAX_REVISION_LEN},
    idl::{AccountType, Layout, Seed, Ty},
    instructions::model_input::ModelInput,
    layout_fields, mem,
};

/// Fixed header of a Server account; `model_count` [`ModelEntry`]s follow it.
#[repr(C)]
pub struct Server {
    discriminator: u8,
    version: u8,
    bump: u8,
    active: u8,
    operator: [u8; 32],
    x25519_key: [u8; 32],
    key_epoch: [u8; 4],
    model_count: u8,
    endpoint_len: u8,
    active_locks: [u8; 2],
    completed: [u8; 8],
    expired: [u8; 8],
    tokens_out: [u8; 8],
    lamports_earned: [u8; 8],
    sum_first_chunk_slots: [u8; 8],
    sum_complete_slots: [u8; 8],
    rating_sum: [u8; 8],
    rating_count: [u8; 8],
    registered_slot: [u8; 8],
    last_active_slot: [u8; 8],
    paid_volume: [u8; 8],
    bond: [u8; 8],
    expired_volume: [u8; 8],
    endpoint: [u8; MAX_ENDPOINT_LEN],
}

super::transmutable!(Server);
const _: () = Server::TYPE.layout.check(core::mem::size_of::<Server>());

/// One offered model, 175 bytes. Unused bytes are zero.
#[repr(C)]
pub struct ModelEntry {
    hf_id_len: u8,
    hf_id: [u8; MAX_HF_ID_LEN],
    revision_len: u8,
    revision: [u8; MAX_REVISION_LEN],
    quant_len: u8,
    quant: [u8; MAX_QUANT_LEN],
    price_in: [u8; 8],
    price_out: [u8; 8],
    max_context: [u8; 4],
}

super::transmutable!(ModelEntry);
const _: () = ModelEntry::LAYOUT.check(core::mem::size_of::<ModelEntry>());

impl Server {
    /// Header length (the account with zero models).
    pub const LEN: usize = 308;
    pub const DISCRIMINATOR: AccountDiscriminator = AccountDiscriminator::Server;
    pub const PREFIX: &'static [u8] = b"server";

    /// Interface description (IDL, `docs/protocol.md`): see [`crate::idl`].
    pub const TYPE: AccountType = AccountType {
        discriminator: Self::DISCRIMINATOR as u8,
        seeds: &[
            Seed::Const(Self::PREFIX),
            Seed::Var {
                name: "operator",
                ty: Ty::Address,
                docs: "",
            },
        ],
        layout: Layout {
            name: "Server",
            docs: "A provider (PDA `[\"server\", operator]`): key, endpoint, reputation counters and models.",
            size: Self::LEN,
            fields: layout_fields![Server;
                discriminator: Ty::Discriminator => "",
                version: Ty::Version => "",
                bump: Ty::U8 => "",
                active: Ty::Flag => "",
                operator: Ty::Address => "Operator wallet (memcmp filter).",
                x25519_key: Ty::Bytes(32) => "X25519 public key prompts are encrypted for.",
                key_epoch: Ty::U32 => "Starts at 0, +1 on every key change.",
                model_count: Ty::U8 => "",
                endpoint_len: Ty::U8 => "",
                active_locks: Ty::U16 => "",
                completed: Ty::U64 => "Counted completions: those whose protocol fee was ≥ MIN_COUNTED_FEE (10,000 lamports).",
                expired: Ty::U64 => "Locked, then missed the deadline.",
                tokens_out: Ty::U64 => "",
                lamports_earned: Ty::U64 => "After the protocol fee.",
                sum_first_chunk_slots: Ty::U64 => "Σ(first chunk slot − lock slot) over counted completions.",
                sum_complete_slots: Ty::U64 => "Σ(complete slot − lock slot) over counted completions.",
                rating_sum: Ty::U64 => "Σ rating × cost over rated responses (ratings weighted by the lamports paid).",
                rating_count: Ty::U64 => "Σ cost over rated responses (the rated volume, lamports).",
                registered_slot: Ty::U64 => "",
                last_active_slot: Ty::U64 => "",
                paid_volume: Ty::U64 => "Gross lamports clients paid (complete_request costs + settle_session deltas, fee included).",
                bond: Ty::U64 => "Lamports of bond the account holds above its rent-exempt minimum (deposit_bond / withdraw_bond); expire_request slashes it.",
                expired_volume: Ty::U64 => "Σ stake of requests locked, then abandoned past the deadline.",
                endpoint: Ty::PaddedString(MAX_ENDPOINT_LEN) => "Optional URL (the first `endpoint_len` bytes, zero padded).",
                ..models: Ty::RemainderArray("modelEntry") => "`model_count` entries of 175 bytes.",
            ],
        },
    };

    /// Account size for `model_count ≤ MAX_MODELS` models (callers check the bound first; the
    /// wrapping multiply keeps the BPF backend away from 128-bit overflow checks).
    #[inline(always)]
    pub const fn space(model_count: usize) -> usize {
        Self::LEN.wrapping_add(model_count.wrapping_mul(ModelEntry::LEN))
    }

    /// Checks header, version and `len == space(model_count)` with `model_count ≤ MAX_MODELS`.
    #[inline(always)]
    fn check(data: &[u8]) -> Result<usize, ProgramError> {
        if data.len() < Self::LEN {
            return Err(invalid_account_data());
        }
        check_header(data, Self::DISCRIMINATOR)?;
        let count = data[72] as usize;
        if count > MAX_MODELS || data.len() != Self::space(count) {
            return Err(invalid_account_data());
        }
        Ok(count)
    }

    /// The header view (length consistency with `model_count` is checked).
    #[inline(always)]
    pub fn load(data: &[u8]) -> Result<&Self, ProgramError> {
        Self::check(data)?;
        // SAFETY: `data.len() >= LEN` checked; alignment 1, byte fields only.
        Ok(unsafe { cast(data) })
    }

    #[inline(always)]
    pub fn load_mut(data: &mut [u8]) -> Result<&mut Self, ProgramError> {
        Self::check(data)?;
        // SAFETY: `data.len() >= LEN` checked; alignment 1, byte fields only.
        Ok(unsafe { cast_mut(data) })
    }

    /// Header and models.
    #[inline(always)]
    pub fn load_with_models(data: &[u8]) -> Result<(&Self, &[ModelEntry]), ProgramError> {
        let count = Self::check(data)?;
        let (header, models) = data.split_at(Self::LEN);
        // SAFETY: lengths checked by `check`: `header` is `LEN` bytes, `models` is exactly
        // `count × ModelEntry::LEN` bytes; both types are alignment 1 with byte fields only.
        Ok(unsafe {
            (
                cast(header),
                core::slice::from_raw_parts(models.as_ptr() as *const ModelEntry, count),
            )
        })
    }

    /// Header and models, mutable.
    #[inline(always)]
    pub fn load_with_models_mut(
        data: &mut [u8],
    ) -> Result<(&mut Self, &mut [ModelEntry]), ProgramError> {
        let count = Self::check(data)?;
        Ok(Self::split_mut(data, count))
    }

    /// Fresh (zeroed) account of `space(model_count)` bytes: writes the header and the count.
    #[inline(always)]
    pub fn init(
        data: &mut [u8],
        model_count: usize,
    ) -> Result<(&mut Self, &mut [ModelEntry]), ProgramError> {
        if model_count > MAX_MODELS || data.len() != Self::space(model_count) {
            return Err(invalid_account_data());
        }
        write_header(data, Self::DISCRIMINATOR)?;
        data[72] = model_count as u8;
        Ok(Self::split_mut(data, model_count))
    }

    /// An existing account just resized to `space(model_count)` (its stored `model_count` is still
    /// the old one): checks the header and the new length, stores the new count.
    #[inline(always)]
    pub fn load_resized_mut(
        data: &mut [u8],
        model_count: usize,
    ) -> Result<(&mut Self, &mut [ModelEntry]), ProgramError> {
        if model_count > MAX_MODELS || data.len() != Self::space(model_count) {
            return Err(invalid_account_data());
        }
        check_header(data, Self::DISCRIMINATOR)?;
        data[72] = model_count as u8;
        Ok(Self::split_mut(data, model_count))
    }

    #[inline(always)]
    fn split_mut(data: &mut [u8], count: usize) -> (&mut Self, &mut [ModelEntry]) {
        let (header, models) = data.split_at_mut(Self::LEN);
        // SAFETY: callers checked `data.len() == space(count)`; alignment 1, byte fields only.
        unsafe {
            (
                cast_mut(header),
                core::slice::from_raw_parts_mut(models.as_mut_ptr() as *mut ModelEntry, count),
            )
        }
    }

    #[inline(always)]
    pub fn bump(&self) -> u8 {
        self.bump
    }

    #[inline(always)]
    pub fn set_bump(&mut self, bump: u8) {
        self.bump = bump;
    }

    #[inline(always)]
    pub fn is_active(&self) -> bool {
        self.active != 0
    }

    #[inline(always)]
    pub fn set_active(&mut self, active: bool) {
        self.active = active as u8;
    }

    #[inline(always)]
    pub fn operator(&self) -> &[u8; 32] {
        &self.operator
    }

    #[inline(always)]
    pub fn set_operator(&mut self, operator: &[u8; 32]) {
        self.operator = *operator;
    }

    #[inline(always)]
    pub fn x25519_key(&self) -> &[u8; 32] {
        &self.x25519_key
    }

    #[inline(always)]
    pub fn set_x25519_key(&mut self, key: &[u8; 32]) {
        self.x25519_key = *key;
    }

    #[inline(always)]
    pub fn model_count(&self) -> u8 {
        self.model_count
    }

    /// The used part of the endpoint URL.
    #[inline(always)]
    pub fn endpoint(&self) -> &[u8] {
        let n = (self.endpoint_len as usize).min(MAX_ENDPOINT_LEN);
        &self.endpoint[..n]
    }

    /// Stores `endpoint` (≤ `MAX_ENDPOINT_LEN`, checked by the caller; longer input is truncated)
    /// and zeroes the unused bytes.
    #[inline(always)]
    pub fn set_endpoint(&mut self, endpoint: &[u8]) {
        let n = endpoint.len().min(MAX_ENDPOINT_LEN);
        mem::zero(&mut self.endpoint);
        mem::copy(&mut self.endpoint, endpoint);
        self.endpoint_len = n as u8;
    }

    /// [`Server::set_endpoint`] for a freshly created (all-zero) account: only the used bytes
    /// are written.
    #[inline(always)]
    pub fn init_endpoint(&mut self, endpoint: &[u8]) {
        let n = endpoint.len().min(MAX_ENDPOINT_LEN);
        mem::copy_nonempty(&mut self.endpoint, endpoint);
        self.endpoint_len = n as u8;
    }

    accessors! {
        u32: key_epoch, set_key_epoch;
        u16: active_locks, set_active_locks;
        u64: completed, set_completed;
        u64: expired, set_expired;
        u64: tokens_out, set_tokens_out;
        u64: lamports_earned, set_lamports_earned;
        u64: sum_first_chunk_slots, set_sum_first_chunk_slots;
        u64: sum_complete_slots, set_sum_complete_slots;
        u64: rating_sum, set_rating_sum;
        u64: rating_count, set_rating_count;
        u64: registered_slot, set_registered_slot;
        u64: last_active_slot, set_last_active_slot;
        u64: paid_volume, set_paid_volume;
        u64: bond, set_bond;
        u64: expired_volume, set_expired_volume;
    }
}

impl ModelEntry {
    pub const LEN: usize = 175;

    /// Interface description (IDL, `docs/protocol.md`): see [`crate::idl`].
    pub const LAYOUT: Layout = Layout {
        name: "modelEntry",
        docs: "A model a server offers (175 bytes on chain).",
        size: Self::LEN,
        fields: layout_fields![ModelEntry;
            hf_id_len as hf_id: Ty::ShortString(MAX_HF_ID_LEN) => "Hugging Face model id `org/name`.",
            revision_len as revision: Ty::ShortString(MAX_REVISION_LEN) => "Git sha, branch or tag; empty = any.",
            quant_len as quant: Ty::ShortString(MAX_QUANT_LEN) => "Quantization tag, e.g. `Q4_K_M`.",
            price_in: Ty::U64 => "Lamports per 1,000,000 prompt tokens.",
            price_out: Ty::U64 => "Lamports per 1,000,000 output tokens.",
            max_context: Ty::U32 => "Context window in tokens.",
        ],
    };

    #[inline(always)]
    pub fn hf_id(&self) -> &[u8] {
        let n = (self.hf_id_len as usize).min(MAX_HF_ID_LEN);
        &self.hf_id[..n]
    }

    /// Empty = unpinned ("main"/any).
    #[inline(always)]
    pub fn revision(&self) -> &[u8] {
        let n = (self.revision_len as usize).min(MAX_REVISION_LEN);
        &self.revision[..n]
    }

    #[inline(always)]
    pub fn quantization(&self) -> &[u8] {
        let n = (self.quant_len as usize).min(MAX_QUANT_LEN);
        &self.quant[..n]
    }

    accessors! {
        u64: price_in, set_price_in;
        u64: price_out, set_price_out;
        u32: max_context, set_max_context;
    }

    /// Overwrites the entry from validated input (lengths already checked), zeroing unused bytes.
    #[inline(always)]
    pub fn write(&mut self, input: &ModelInput) {
        // SAFETY: `ModelEntry` is `LEN` plain bytes (alignment 1, no padding).
        mem::zero(unsafe {
            core::slice::from_raw_parts_mut(self as *mut Self as *mut u8, Self::LEN)
        });
        self.fill_zeroed(input);
    }

    /// [`ModelEntry::write`] for an entry whose bytes are all zero already (a freshly created or
    /// explicitly zeroed account): only the used bytes are written.
    #[inline(always)]
    pub fn fill_zeroed(&mut self, input: &ModelInput) {
        self.set_hf_id(input.hf_id);
        self.set_revision(input.revision);
        self.set_quantization(input.quantization);
        self.set_price_in(input.price_in);
        self.set_price_out(input.price_out);
        self.set_max_context(input.max_context);
    }

    /// Stores a validated hf_id (longer input is truncated) into a zeroed entry.
    #[inline(always)]
    pub fn set_hf_id(&mut self, hf_id: &[u8]) {
        let n = hf_id.len().min(MAX_HF_ID_LEN);
        mem::copy_nonempty(&mut self.hf_id, hf_id);
        self.hf_id_len = n as u8;
    }

    /// Stores a validated revision (longer input is truncated) into a zeroed entry.
    #[inline(always)]
    pub fn set_revision(&mut self, revision: &[u8]) {
        let n = revision.len().min(MAX_REVISION_LEN);
        mem::copy_nonempty(&mut self.revision, revision);
        self.revision_len = n as u8;
    }

    /// Stores a validated quantization tag (longer input is truncated) into a zeroed entry.
    #[inline(always)]
    pub fn set_quantization(&mut self, quantization: &[u8]) {
        let n = quantization.len().min(MAX_QUANT_LEN);
        mem::copy_nonempty(&mut self.quant, quantization);
        self.quant_len = n as u8;
    }

    /// One of 64 buckets, from a cheap digest of the key bytes (equal keys ⇒ equal buckets; the
    /// converse is only likely): the first 8 bytes (hf_id length + start), the last 8 bytes of the
    /// hf_id, and the first 8 bytes of the revision and quantization (each with its length).
    #[inline(always)]
    pub fn key_bucket(&self) -> u32 {
        let base = self as *const Self as *const u8;
        let n = (self.hf_id_len as usize).min(MAX_HF_ID_LEN);
        // Offset of `hf_id[n - 8]` (= 1 + n - 8) when n ≥ 8, else of `hf_id[0]`.
        let tail = if n >= 8 { n.wrapping_sub(7) } else { 1 };
        // SAFETY: every read is 8 bytes at offset ≤ 138 (`tail ≤ 89`), inside the 175-byte entry.
        let digest = unsafe {
            let word = |off: usize| core::ptr::read_unaligned(base.add(off) as *const u64);
            word(0) ^ word(tail) ^ (word(97) << 1) ^ (word(138) << 2)
        };
        // Fold the high half down (ids usually differ near their end, i.e. in the tail word's top
        // bytes), then a multiplicative hash: every bit reaches the top 6 bits of the product.
        ((digest ^ (digest >> 32)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as u32
    }

    /// The (hf_id, revision, quantization) key: bytes `0..155` (lengths + zero-padded arrays),
    /// so two entries have the same key exactly when these bytes are equal.
    #[inline(always)]
    fn key_bytes(&self) -> &[u8; Self::KEY_LEN] {
        // SAFETY: `ModelEntry` is plain bytes and `KEY_LEN < LEN`.
        unsafe { &*(self as *const Self as *const [u8; Self::KEY_LEN]) }
    }

    const KEY_LEN: usize = 155;

    /// Same (hf_id, revision, quantization), compared 8 bytes at a time (unused bytes are zero).
    #[inline(always)]
    pub fn same_key(&self, other: &Self) -> bool {
        let (a, b) = (self.key_bytes(), other.key_bytes());
        let (a_words, a_tail) = a.as_chunks::<8>();
        let (b_words, b_tail) = b.as_chunks::<8>();
        for (x, y) in a_words.iter().zip(b_words) {
            if u64::from_ne_bytes(*x) != u64::from_ne_bytes(*y) {
                return false;
            }
        }
        a_tail == b_tail
    }
}

/// `DuplicateModel` when two entries share (hf_id, revision, quantization). A 64-bit Bloom
/// filter over [`ModelEntry::key_bucket`] finds the entries that may repeat an earlier key; only
/// those are compared in full against the earlier entries, so the result is exact.
#[inline(always)]
pub fn check_unique_models(models: &[ModelEntry]) -> Result<(), ProgramError> {
    let mut seen = 0u64;
    for (i, a) in models.iter().enumerate() {
        // SAFETY: `i < models.len()`.
        check_new_key(a, unsafe { models.get_unchecked(..i) }, &mut seen)?;
    }
    Ok(())
}

/// One step of [`check_unique_models`]: `DuplicateModel` when `entry` repeats the key of one of
/// `earlier`, whose buckets are the bits set in `seen`; adds `entry`'s bucket to `seen`.
#[inline(always)]
pub fn check_new_key(
    entry: &ModelEntry,
    earlier: &[ModelEntry],
    seen: &mut u64,
) -> Result<(), ProgramError> {
    let bit = 1u64 << entry.key_bucket();
    if *seen & bit != 0 {
        for b in earlier {
            if entry.same_key(b) {
                return Err(crate::errors::ChainferenceError::DuplicateModel.into());
            }
        }
    }
    *seen |= bit;
    Ok(())
}

/// Byte offsets of `docs/protocol.md` § Accounts, checked at compile time (a layout change that
/// moves a field fails the build, not only `cargo test`).
const _: () = {
    use core::mem::offset_of;
    assert!(offset_of!(Server, active) == 3);
    assert!(offset_of!(Server, operator) == 4);
    assert!(offset_of!(Server, x25519_key) == 36);
    assert!(offset_of!(Server, key_epoch) == 68);
    assert!(offset_of!(Server, model_count) == 72);
    assert!(offset_of!(Server, endpoint_len) == 73);
    assert!(offset_of!(Server, active_locks) == 74);
    assert!(offset_of!(Server, completed) == 76);
    assert!(offset_of!(Server, expired) == 84);
    assert!(offset_of!(Server, tokens_out) == 92);
    assert!(offset_of!(Server, lamports_earned) == 100);
    assert!(offset_of!(Server, sum_first_chunk_slots) == 108);
    assert!(offset_of!(Server, sum_complete_slots) == 116);
    assert!(offset_of!(Server, rating_sum) == 124);
    assert!(offset_of!(Server, rating_count) == 132);
    assert!(offset_of!(Server, registered_slot) == 140);
    assert!(offset_of!(Server, last_active_slot) == 148);
    assert!(offset_of!(Server, paid_volume) == 156);
    assert!(offset_of!(Server, bond) == 164);
    assert!(offset_of!(Server, expired_volume) == 172);
    assert!(offset_of!(Server, endpoint) == 180);
    assert!(offset_of!(ModelEntry, hf_id) == 1);
    assert!(offset_of!(ModelEntry, revision_len) == 97);
    assert!(offset_of!(ModelEntry, revision) == 98);
    assert!(offset_of!(ModelEntry, quant_len) == 138);
    assert!(offset_of!(ModelEntry, quant) == 139);
    assert!(offset_of!(ModelEntry, price_in) == 155);
    assert!(offset_of!(ModelEntry, price_out) == 163);
    assert!(offset_of!(ModelEntry, max_context) == 171);
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_load_and_models() {
        let mut data = [0u8; Server::space(2)];
        {
            let (s, models) = Server::init(&mut data, 2).unwrap();
            s.set_endpoint(b"https://x");
            s.set_completed(5);
            let input = ModelInput {
                hf_id: b"org/name",
                revision: b"main",
                quantization: b"Q4_K_M",
                price_in: 7,
                price_out: 9,
                max_context: 4096,
            };
            models[1].write(&input);
        }
        let (s, models) = Server::load_with_models(&data).unwrap();
        assert_eq!(s.model_count(), 2);
        assert_eq!(s.endpoint(), b"https://x");
        assert_eq!(s.completed(), 5);
        assert_eq!(models[1].hf_id(), b"org/name");
        assert_eq!(models[1].revision(), b"main");
        assert_eq!(models[1].quantization(), b"Q4_K_M");
        assert_eq!(models[1].price_out(), 9);
        assert_eq!(models[1].max_context(), 4096);
        assert_eq!(models[0].hf_id(), b"");
        assert!(check_unique_models(models).is_ok());
        assert!(!models[0].same_key(&models[1]));
        assert_eq!(data[308 + 175], 8);
        let mut copy = data;
        {
            let (_, models) = Server::load_with_models_mut(&mut copy).unwrap();
            let (a, b) = models.split_at_mut(1);
            a[0].write(&ModelInput {
                hf_id: b"org/name",
                revision: b"main",
                quantization: b"Q4_K_M",
                price_in: 1,
                price_out: 1,
                max_context: 1,
            });
            assert!(a[0].same_key(&b[0]));
            a[0].write(&ModelInput {
                hf_id: b"org/name",
                revision: b"main",
                quantization: b"Q4_K_S",
                price_in: 1,
                price_out: 1,
                max_context: 1,
            });
            assert!(!a[0].same_key(&b[0]));
        }
        assert!(check_unique_models(Server::load_with_models(&copy).unwrap().1).is_ok());
        // Length must agree with model_count.
        assert!(Server::load(&data[..Server::space(1)]).is_err());
        assert!(Server::load(&data[..100]).is_err());
    }
}
