//! Request PDA `["request", client, nonce u64 le]`, `393 + 84 × allowed_count + prompt_len` bytes
//! (`docs/protocol.md` § Request). The account is its own escrow: its lamports are its rent plus
//! the stake, and it closes to the client when it settles, is cancelled or expires.

use pinocchio::error::ProgramError;

use super::{
    cast, cast_mut, check_header, invalid_account_data, write_header, AccountDiscriminator,
};
use crate::{
    accessors,
    constants::{MAX_ALLOWED_SERVERS, MAX_HF_ID_LEN, MAX_REVISION_LEN, WRAPPED_KEY_LEN},
    errors::ChainferenceError,
    idl::{AccountType, Enum, Layout, Seed, Ty},
    layout_fields, mem,
};

/// Request status. Only `Open` and `Locked` are ever stored: the outcomes (Completed, Cancelled,
/// Expired) close the account.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestStatus {
    Open = 0,
    Locked = 1,
    Completed = 2,
    Cancelled = 3,
    Expired = 4,
}

impl RequestStatus {
    /// The status a stored byte names: only `Open` (0) and `Locked` (1) are ever stored (the
    /// outcomes close the account), so any other byte is `InvalidRequestStatus`.
    #[inline(always)]
    pub fn from_stored(byte: u8) -> Result<Self, ProgramError> {
        match byte {
            0 => Ok(Self::Open),
            1 => Ok(Self::Locked),
            _ => Err(invalid_request_status()),
        }
    }
}

#[cold]
#[inline(never)]
fn invalid_request_status() -> ProgramError {
    ChainferenceError::InvalidRequestStatus.into()
}

/// Interface description of [`RequestStatus`] (checked against it by `idl::tests`).
pub const REQUEST_STATUS: Enum = Enum {
    name: "requestStatus",
    docs: "Request status. Completed, Cancelled and Expired are outcomes: the account closes.",
    variants: &["open", "locked", "completed", "cancelled", "expired"],
};

/// Fixed header of a Request account; `allowed_count` [`AllowedServer`]s and then `prompt_len`
/// bytes of prompt ciphertext follow it.
#[repr(C)]
pub struct Request {
    discriminator: u8,
    version: u8,
    bump: u8,
    status: u8,
    client: [u8; 32],
    nonce: [u8; 8],
    model_len: u8,
    model: [u8; MAX_HF_ID_LEN],
    revision_len: u8,
    revision: [u8; MAX_REVISION_LEN],
    locked_by: [u8; 32],
    locked_key: [u8; 32],
    locked_key_epoch: [u8; 4],
    fee_bps: [u8; 2],
    fee_shard: u8,
    has_response: u8,
    allowed_count: u8,
    sealed: u8,
    stake: [u8; 8],
    created_slot: [u8; 8],
    open_until_slot: [u8; 8],
    response_timeout: [u8; 8],
    lock_slot: [u8; 8],
    deadline_slot: [u8; 8],
    locked_price_in: [u8; 8],
    locked_price_out: [u8; 8],
    max_price_in: [u8; 8],
    max_price_out: [u8; 8],
    min_completed: [u8; 8],
    min_success_bps: [u8; 2],
    min_avg_rating: [u8; 2],
    max_response_bytes: [u8; 4],
    prompt_len: [u8; 4],
    prompt_written: [u8; 4],
    client_key: [u8; 32],
    response_bump: u8,
}

super::transmutable!(Request);
const _: () = Request::TYPE.layout.check(core::mem::size_of::<Request>());

/// One allow-list entry, 84 bytes: the server account, the key epoch the data key was wrapped
/// for, and the wrapped data key. Its Borsh encoding in `create_request` is the same 84 bytes.
#[repr(C)]
pub struct AllowedServer {
    server: [u8; 32],
    key_epoch: [u8; 4],
    wrapped_key: [u8; WRAPPED_KEY_LEN],
}

super::transmutable!(AllowedServer);
const _: () = AllowedServer::LAYOUT.check(core::mem::size_of::<AllowedServer>());

/// Mutable view of a whole Request account: header, allow-list and prompt region.
pub struct RequestMut<'a> {
    pub header: &'a mut Request,
    pub allowed: &'a mut [AllowedServer],
    pub prompt: &'a mut [u8],
}

/// Read-only view of a whole Request account.
pub struct RequestRef<'a> {
    pub header: &'a Request,
    pub allowed: &'a [AllowedServer],
    pub prompt: &'a [u8],
}

/// Offsets of the length fields read before the header is cast.
const ALLOWED_COUNT_OFFSET: usize = 254;
const PROMPT_LEN_OFFSET: usize = 352;

impl Request {
    /// Header length (the account with no allow-list and no prompt).
    pub const LEN: usize = 393;
    pub const HEADER_LEN: usize = Self::LEN;
    pub const DISCRIMINATOR: AccountDiscriminator = AccountDiscriminator::Request;
    pub const PREFIX: &'static [u8] = b"request";

    /// Interface description (IDL, `docs/protocol.md`): see [`crate::idl`].
    pub const TYPE: AccountType = AccountType {
        discriminator: Self::DISCRIMINATOR as u8,
        seeds: &[
            Seed::Const(Self::PREFIX),
            Seed::Var {
                name: "client",
                ty: Ty::Address,
                docs: "",
            },
            Seed::Var {
                name: "nonce",
                ty: Ty::U64,
                docs: "",
            },
        ],
        layout: Layout {
            name: "Request",
            docs: "An inference request (PDA `[\"request\", client, nonce]`); it escrows the stake itself.",
            size: Self::LEN,
            fields: layout_fields![Request;
                discriminator: Ty::Discriminator => "",
                version: Ty::Version => "",
                bump: Ty::U8 => "",
                status: Ty::Enum("requestStatus") => "Only Open and Locked are stored: the outcomes close the account.",
                client: Ty::Address => "Client wallet (memcmp filter).",
                nonce: Ty::U64 => "",
                model_len as model: Ty::ShortString(MAX_HF_ID_LEN) => "Hugging Face model id (memcmp filter: length byte + id).",
                revision_len as revision: Ty::ShortString(MAX_REVISION_LEN) => "Pinned revision (empty = any).",
                locked_by: Ty::Address => "Server account (zero while Open).",
                locked_key: Ty::Bytes(32) => "Server's X25519 key at lock.",
                locked_key_epoch: Ty::U32 => "",
                fee_bps: Ty::U16 => "Config snapshot at create.",
                fee_shard: Ty::U8 => "`nonce % 16`.",
                has_response: Ty::Flag => "",
                allowed_count: Ty::U8 => "",
                sealed: Ty::Flag => "Prompt complete.",
                stake: Ty::U64 => "",
                created_slot: Ty::U64 => "",
                open_until_slot: Ty::U64 => "",
                response_timeout: Ty::U64 => "Slots.",
                lock_slot: Ty::U64 => "",
                deadline_slot: Ty::U64 => "lock_slot + response_timeout.",
                locked_price_in: Ty::U64 => "",
                locked_price_out: Ty::U64 => "",
                max_price_in: Ty::U64 => "",
                max_price_out: Ty::U64 => "",
                min_completed: Ty::U64 => "",
                min_success_bps: Ty::U16 => "",
                min_avg_rating: Ty::U16 => "Rating × 100, 0 = none.",
                max_response_bytes: Ty::U32 => "Config snapshot.",
                prompt_len: Ty::U32 => "",
                prompt_written: Ty::U32 => "",
                client_key: Ty::Bytes(32) => "Client's per-request X25519 public key.",
                response_bump: Ty::U8 => "Bump of the response PDA, set by the client at create; the first append_response signs with it.",
                ..tail: Ty::RemainderBytes => "`allowed_count` AllowedServer entries (84 bytes each), then `prompt_len` bytes of prompt ciphertext.",
            ],
        },
    };

    /// Account size for `allowed_count` entries and `prompt_len` prompt bytes. Callers bound both
    /// (`allowed_count ≤ MAX_ALLOWED_SERVERS`, `prompt_len ≤ u32::MAX`), so the result is below
    /// 2^33: the wrapping ops never wrap, and they keep the BPF backend away from the 128-bit
    /// multiply an overflow-checked `*` would emit.
    #[inline(always)]
    pub const fn space(allowed_count: usize, prompt_len: usize) -> usize {
        Self::LEN
            .wrapping_add(allowed_count.wrapping_mul(AllowedServer::LEN))
            .wrapping_add(prompt_len)
    }

    /// Checks header, version and `len == space(allowed_count, prompt_len)` with
    /// `allowed_count ≤ MAX_ALLOWED_SERVERS`; returns `(allowed_count, prompt_len)`.
    #[inline(always)]
    fn check(data: &[u8]) -> Result<(usize, usize), ProgramError> {
        if data.len() < Self::LEN {
            return Err(invalid_account_data());
        }
        check_header(data, Self::DISCRIMINATOR)?;
        let count = data[ALLOWED_COUNT_OFFSET] as usize;
        let prompt_len = u32::from_le_bytes([
            data[PROMPT_LEN_OFFSET],
            data[PROMPT_LEN_OFFSET + 1],
            data[PROMPT_LEN_OFFSET + 2],
            data[PROMPT_LEN_OFFSET + 3],
        ]) as usize;
        if count > MAX_ALLOWED_SERVERS || data.len() != Self::space(count, prompt_len) {
            return Err(invalid_account_data());
        }
        Ok((count, prompt_len))
    }

    /// The header view (length consistency with `allowed_count` and `prompt_len` is checked).
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

    /// Header, allow-list and prompt.
    #[inline(always)]
    pub fn load_full(data: &[u8]) -> Result<RequestRef<'_>, ProgramError> {
        let (count, _) = Self::check(data)?;
        let (header, rest) = data.split_at(Self::LEN);
        // `count ≤ MAX_ALLOWED_SERVERS` (checked): no wrap.
        let (allowed, prompt) = rest.split_at(count.wrapping_mul(AllowedServer::LEN));
        // SAFETY: `check` proved `header` is `LEN` bytes and `allowed` is exactly
        // `count × AllowedServer::LEN` bytes; both types are alignment 1 with byte fields only.
        Ok(unsafe {
            RequestRef {
                header: cast(header),
                allowed: core::slice::from_raw_parts(
                    allowed.as_ptr() as *const AllowedServer,
                    count,
                ),
                prompt,
            }
        })
    }

    /// Header, allow-list and prompt, mutable.
    #[inline(always)]
    pub fn load_full_mut(data: &mut [u8]) -> Result<RequestMut<'_>, ProgramError> {
        let (count, _) = Self::check(data)?;
        Ok(Self::split_mut(data, count))
    }

    /// Fresh (zeroed) account of `space(allowed_count, prompt_len)` bytes: writes the header,
    /// `allowed_count` and `prompt_len`.
    #[inline(always)]
    pub fn init(
        data: &mut [u8],
        allowed_count: usize,
        prompt_len: u32,
    ) -> Result<RequestMut<'_>, ProgramError> {
        if allowed_count > MAX_ALLOWED_SERVERS
            || data.len() != Self::space(allowed_count, prompt_len as usize)
        {
            return Err(invalid_account_data());
        }
        write_header(data, Self::DISCRIMINATOR)?;
        data[ALLOWED_COUNT_OFFSET] = allowed_count as u8;
        data[PROMPT_LEN_OFFSET..PROMPT_LEN_OFFSET + 4].copy_from_slice(&prompt_len.to_le_bytes());
        Ok(Self::split_mut(data, allowed_count))
    }

    #[inline(always)]
    fn split_mut(data: &mut [u8], count: usize) -> RequestMut<'_> {
        let (header, rest) = data.split_at_mut(Self::LEN);
        // `count ≤ MAX_ALLOWED_SERVERS` (checked by every caller): no wrap.
        let (allowed, prompt) = rest.split_at_mut(count.wrapping_mul(AllowedServer::LEN));
        // SAFETY: callers checked `data.len() == space(count, prompt_len)`; alignment 1, byte
        // fields only.
        unsafe {
            RequestMut {
                header: cast_mut(header),
                allowed: core::slice::from_raw_parts_mut(
                    allowed.as_mut_ptr() as *mut AllowedServer,
                    count,
                ),
                prompt,
            }
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

    /// The stored status: `Open` or `Locked`; `InvalidRequestStatus` for any other byte.
    #[inline(always)]
    pub fn status(&self) -> Result<RequestStatus, ProgramError> {
        RequestStatus::from_stored(self.status)
    }

    #[inline(always)]
    pub fn set_status(&mut self, status: RequestStatus) {
        self.status = status as u8;
    }

    #[inline(always)]
    pub fn is_open(&self) -> bool {
        self.status == RequestStatus::Open as u8
    }

    #[inline(always)]
    pub fn is_locked(&self) -> bool {
        self.status == RequestStatus::Locked as u8
    }

    #[inline(always)]
    pub fn client(&self) -> &[u8; 32] {
        &self.client
    }

    #[inline(always)]
    pub fn set_client(&mut self, client: &[u8; 32]) {
        self.client = *client;
    }

    /// The requested model id (`org/name`).
    #[inline(always)]
    pub fn model(&self) -> &[u8] {
        let n = (self.model_len as usize).min(MAX_HF_ID_LEN);
        &self.model[..n]
    }

    /// Stores `model` (≤ `MAX_HF_ID_LEN`, validated by the caller; longer input is truncated).
    /// The account is fresh, so the unused bytes are already zero.
    #[inline(always)]
    pub fn set_model(&mut self, model: &[u8]) {
        let n = model.len().min(MAX_HF_ID_LEN);
        mem::copy(&mut self.model[..n], &model[..n]);
        self.model_len = n as u8;
    }

    /// The pinned revision; empty = any revision.
    #[inline(always)]
    pub fn revision(&self) -> &[u8] {
        let n = (self.revision_len as usize).min(MAX_REVISION_LEN);
        &self.revision[..n]
    }

    /// Stores `revision` (≤ `MAX_REVISION_LEN`, validated by the caller; longer input is
    /// truncated). The account is fresh, so the unused bytes are already zero.
    #[inline(always)]
    pub fn set_revision(&mut self, revision: &[u8]) {
        let n = revision.len().min(MAX_REVISION_LEN);
        mem::copy(&mut self.revision[..n], &revision[..n]);
        self.revision_len = n as u8;
    }

    /// The server account that locked the request (zero while Open).
    #[inline(always)]
    pub fn locked_by(&self) -> &[u8; 32] {
        &self.locked_by
    }

    #[inline(always)]
    pub fn set_locked_by(&mut self, server: &[u8; 32]) {
        self.locked_by = *server;
    }

    /// The locking server's X25519 key at lock time.
    #[inline(always)]
    pub fn locked_key(&self) -> &[u8; 32] {
        &self.locked_key
    }

    #[inline(always)]
    pub fn set_locked_key(&mut self, key: &[u8; 32]) {
        self.locked_key = *key;
    }

    #[inline(always)]
    pub fn fee_shard(&self) -> u8 {
        self.fee_shard
    }

    #[inline(always)]
    pub fn set_fee_shard(&mut self, shard: u8) {
        self.fee_shard = shard;
    }

    #[inline(always)]
    pub fn has_response(&self) -> bool {
        self.has_response != 0
    }

    #[inline(always)]
    pub fn set_has_response(&mut self, value: bool) {
        self.has_response = value as u8;
    }

    #[inline(always)]
    pub fn allowed_count(&self) -> u8 {
        self.allowed_count
    }

    /// The whole prompt has been written.
    #[inline(always)]
    pub fn is_sealed(&self) -> bool {
        self.sealed != 0
    }

    #[inline(always)]
    pub fn set_sealed(&mut self, value: bool) {
        self.sealed = value as u8;
    }

    /// The client's per-request X25519 public key.
    #[inline(always)]
    pub fn client_key(&self) -> &[u8; 32] {
        &self.client_key
    }

    #[inline(always)]
    pub fn set_client_key(&mut self, key: &[u8; 32]) {
        self.client_key = *key;
    }

    /// Bump of the response PDA `["response", request, [response_bump]]`, chosen by the client at
    /// create (its own lookup key, not verified on-chain): the first `append_response` signs with
    /// it, so the server cannot pick another address.
    #[inline(always)]
    pub fn response_bump(&self) -> u8 {
        self.response_bump
    }

    #[inline(always)]
    pub fn set_response_bump(&mut self, bump: u8) {
        self.response_bump = bump;
    }

    /// `prompt_len` is fixed by [`Request::init`] (it defines the account size).
    #[inline(always)]
    pub fn prompt_len(&self) -> u32 {
        u32::from_le_bytes(self.prompt_len)
    }

    accessors! {
        u64: nonce, set_nonce;
        u32: locked_key_epoch, set_locked_key_epoch;
        u16: fee_bps, set_fee_bps;
        u64: stake, set_stake;
        u64: created_slot, set_created_slot;
        u64: open_until_slot, set_open_until_slot;
        u64: response_timeout, set_response_timeout;
        u64: lock_slot, set_lock_slot;
        u64: deadline_slot, set_deadline_slot;
        u64: locked_price_in, set_locked_price_in;
        u64: locked_price_out, set_locked_price_out;
        u64: max_price_in, set_max_price_in;
        u64: max_price_out, set_max_price_out;
        u64: min_completed, set_min_completed;
        u16: min_success_bps, set_min_success_bps;
        u16: min_avg_rating, set_min_avg_rating;
        u32: max_response_bytes, set_max_response_bytes;
        u32: prompt_written, set_prompt_written;
    }

    /// The client's filters, for [`crate::lifecycle::select_offer`].
    #[inline(always)]
    pub fn filters(&self) -> crate::lifecycle::ClientFilters<'_> {
        crate::lifecycle::ClientFilters {
            model: self.model(),
            revision: self.revision(),
            max_price_in: self.max_price_in(),
            max_price_out: self.max_price_out(),
            min_completed: self.min_completed(),
            min_success_bps: self.min_success_bps(),
            min_avg_rating: self.min_avg_rating(),
        }
    }
}

impl AllowedServer {
    pub const LEN: usize = 84;

    /// Interface description (IDL, `docs/protocol.md`): see [`crate::idl`].
    pub const LAYOUT: Layout = Layout {
        name: "allowedServer",
        docs: "A server allowed to lock a request, with the data key wrapped for it (84 bytes).",
        size: Self::LEN,
        fields: layout_fields![AllowedServer;
            server: Ty::Address => "Server account address.",
            key_epoch: Ty::U32 => "Server's key epoch the data key was wrapped for.",
            wrapped_key: Ty::Bytes(WRAPPED_KEY_LEN) => "Data key (32 bytes) wrapped for the server, with its 16-byte Poly1305 tag.",
        ],
    };

    #[inline(always)]
    pub fn server(&self) -> &[u8; 32] {
        &self.server
    }

    #[inline(always)]
    pub fn wrapped_key(&self) -> &[u8; WRAPPED_KEY_LEN] {
        &self.wrapped_key
    }

    accessors! {
        u32: key_epoch, set_key_epoch;
    }

    /// Views one 84-byte entry in its wire (= account) encoding.
    #[inline(always)]
    pub fn from_raw(raw: &[u8; Self::LEN]) -> &Self {
        // SAFETY: `AllowedServer` is exactly `LEN` bytes, alignment 1, byte fields only.
        unsafe { &*(raw.as_ptr() as *const Self) }
    }

    /// A run of entries as raw bytes (their wire encoding), for one bulk copy.
    #[inline(always)]
    pub fn slice_as_bytes_mut(entries: &mut [Self]) -> &mut [u8] {
        // SAFETY: `AllowedServer` is exactly `LEN` bytes, alignment 1, byte fields only, so the
        // entries are `len × LEN` contiguous bytes (`len ≤ MAX_ALLOWED_SERVERS`: no wrap).
        unsafe {
            core::slice::from_raw_parts_mut(
                entries.as_mut_ptr() as *mut u8,
                entries.len().wrapping_mul(Self::LEN),
            )
        }
    }
}

/// Byte offsets of `docs/protocol.md` § Accounts, checked at compile time (a layout change that
/// moves a field fails the build, not only `cargo test`).
const _: () = {
    use core::mem::offset_of;
    assert!(offset_of!(Request, bump) == 2);
    assert!(offset_of!(Request, status) == 3);
    assert!(offset_of!(Request, client) == 4);
    assert!(offset_of!(Request, nonce) == 36);
    assert!(offset_of!(Request, model_len) == 44);
    assert!(offset_of!(Request, model) == 45);
    assert!(offset_of!(Request, revision_len) == 141);
    assert!(offset_of!(Request, revision) == 142);
    assert!(offset_of!(Request, locked_by) == 182);
    assert!(offset_of!(Request, locked_key) == 214);
    assert!(offset_of!(Request, locked_key_epoch) == 246);
    assert!(offset_of!(Request, fee_bps) == 250);
    assert!(offset_of!(Request, fee_shard) == 252);
    assert!(offset_of!(Request, has_response) == 253);
    assert!(offset_of!(Request, allowed_count) == ALLOWED_COUNT_OFFSET);
    assert!(offset_of!(Request, sealed) == 255);
    assert!(offset_of!(Request, stake) == 256);
    assert!(offset_of!(Request, created_slot) == 264);
    assert!(offset_of!(Request, open_until_slot) == 272);
    assert!(offset_of!(Request, response_timeout) == 280);
    assert!(offset_of!(Request, lock_slot) == 288);
    assert!(offset_of!(Request, deadline_slot) == 296);
    assert!(offset_of!(Request, locked_price_in) == 304);
    assert!(offset_of!(Request, locked_price_out) == 312);
    assert!(offset_of!(Request, max_price_in) == 320);
    assert!(offset_of!(Request, max_price_out) == 328);
    assert!(offset_of!(Request, min_completed) == 336);
    assert!(offset_of!(Request, min_success_bps) == 344);
    assert!(offset_of!(Request, min_avg_rating) == 346);
    assert!(offset_of!(Request, max_response_bytes) == 348);
    assert!(offset_of!(Request, prompt_len) == PROMPT_LEN_OFFSET);
    assert!(offset_of!(Request, prompt_written) == 356);
    assert!(offset_of!(Request, client_key) == 360);
    assert!(offset_of!(Request, response_bump) == 392);
    assert!(Request::LEN == 393);
    assert!(offset_of!(AllowedServer, key_epoch) == 32);
    assert!(offset_of!(AllowedServer, wrapped_key) == 36);
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_is_typed_and_rejects_bytes_never_stored() {
        let mut data = [0u8; Request::space(0, 0)];
        Request::init(&mut data, 0, 0).unwrap();
        assert_eq!(
            Request::load(&data).unwrap().status(),
            Ok(RequestStatus::Open)
        );
        Request::load_mut(&mut data)
            .unwrap()
            .set_status(RequestStatus::Locked);
        assert_eq!(
            Request::load(&data).unwrap().status(),
            Ok(RequestStatus::Locked)
        );
        let invalid: ProgramError = ChainferenceError::InvalidRequestStatus.into();
        // The outcomes close the account, so they are never stored either.
        for byte in [2u8, 3, 4, 5, 0x80, 0xFF] {
            data[3] = byte;
            let loaded = Request::load(&data).unwrap();
            assert_eq!(loaded.status(), Err(invalid.clone()), "byte {byte}");
            assert!(!loaded.is_open() && !loaded.is_locked());
        }
    }

    #[test]
    fn init_load_allowed_and_prompt() {
        let mut data = [0u8; Request::space(2, 10)];
        {
            let r = Request::init(&mut data, 2, 10).unwrap();
            r.header.set_stake(77);
            r.header.set_model(b"org/name");
            let mut raw = [0u8; 2 * AllowedServer::LEN];
            raw[84] = 9;
            raw[84 + 32..84 + 36].copy_from_slice(&3u32.to_le_bytes());
            raw[84 + 83] = 1;
            AllowedServer::slice_as_bytes_mut(r.allowed).copy_from_slice(&raw);
            r.prompt[9] = 0xAB;
        }
        let r = Request::load_full(&data).unwrap();
        assert_eq!(r.header.allowed_count(), 2);
        assert_eq!(r.header.prompt_len(), 10);
        assert_eq!(r.header.stake(), 77);
        assert_eq!(r.header.model(), b"org/name");
        assert_eq!(r.allowed[1].server()[0], 9);
        assert_eq!(r.allowed[1].key_epoch(), 3);
        assert_eq!(r.allowed[1].wrapped_key()[47], 1);
        assert_eq!(r.prompt.len(), 10);
        assert_eq!(r.prompt[9], 0xAB);
        assert_eq!(data[393 + 84], 9);
        assert_eq!(data[393 + 168 + 9], 0xAB);
        // Length must agree with allowed_count and prompt_len.
        assert!(Request::load(&data[..Request::space(2, 9)]).is_err());
        assert!(Request::load(&data[..100]).is_err());
        assert!(Request::init(&mut data, 2, 10).is_err());
        let mut wrong = data;
        wrong[0] = 5;
        assert!(Request::load(&wrong).is_err());
        let mut wrong = data;
        wrong[1] = 2;
        assert!(Request::load(&wrong).is_err());
    }
}
