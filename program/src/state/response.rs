//! Response PDA `["response", request]`, `228 + stream_len` bytes (`docs/protocol.md` § Response).
//!
//! The stream is a sequence of frames `u16 len ‖ ciphertext` (every ciphertext ends in a 16-byte
//! Poly1305 tag). The locking server's operator pays its rent (possibly prefunding more than the
//! current size, so later appends only resize) and receives every lamport back when it closes.

use pinocchio::error::ProgramError;

use super::{
    cast, cast_mut, check_header, invalid_account_data, write_header, AccountDiscriminator,
};
use crate::idl::{AccountType, Layout, Seed, Ty};
use crate::{accessors, layout_fields};

/// Fixed header of a Response account; `stream_len` bytes of frames follow it.
#[repr(C)]
pub struct Response {
    discriminator: u8,
    version: u8,
    bump: u8,
    is_final: u8,
    request: [u8; 32],
    client: [u8; 32],
    server: [u8; 32],
    operator: [u8; 32],
    server_key: [u8; 32],
    nonce: [u8; 8],
    completed: u8,
    rated: u8,
    reserved: [u8; 2],
    chunk_count: [u8; 4],
    stream_len: [u8; 4],
    plaintext_bytes: [u8; 4],
    tokens_in: [u8; 4],
    tokens_out: [u8; 4],
    first_chunk_slot: [u8; 8],
    last_slot: [u8; 8],
    completed_slot: [u8; 8],
    cost: [u8; 8],
}

super::transmutable!(Response);
const _: () = Response::TYPE
    .layout
    .check(core::mem::size_of::<Response>());

/// Offset of `stream_len`, read before the header is cast.
const STREAM_LEN_OFFSET: usize = 180;

/// Bytes of the `u16` length prefix of every frame.
pub const FRAME_HEADER_LEN: usize = 2;

impl Response {
    /// Header length (the account with an empty stream).
    pub const LEN: usize = 228;
    pub const HEADER_LEN: usize = Self::LEN;
    pub const DISCRIMINATOR: AccountDiscriminator = AccountDiscriminator::Response;
    pub const PREFIX: &'static [u8] = b"response";

    /// Interface description (IDL, `docs/protocol.md`): see [`crate::idl`].
    pub const TYPE: AccountType = AccountType {
        discriminator: Self::DISCRIMINATOR as u8,
        seeds: &[
            Seed::Const(Self::PREFIX),
            Seed::Var {
                name: "request",
                ty: Ty::Address,
                docs: "",
            },
        ],
        layout: Layout {
            name: "Response",
            docs: "The encrypted answer stream (PDA `[\"response\", request]`).",
            size: Self::LEN,
            fields: layout_fields![Response;
                discriminator: Ty::Discriminator => "",
                version: Ty::Version => "",
                bump: Ty::U8 => "",
                is_final: Ty::Flag => "",
                request: Ty::Address => "",
                client: Ty::Address => "Client wallet (memcmp filter: history).",
                server: Ty::Address => "",
                operator: Ty::Address => "Receives this account's rent back.",
                server_key: Ty::Bytes(32) => "Locking server's X25519 key (the client decrypts from its wallet and this account).",
                nonce: Ty::U64 => "Request nonce.",
                completed: Ty::Flag => "",
                rated: Ty::Flag => "",
                reserved: Ty::Bytes(2) => "",
                chunk_count: Ty::U32 => "",
                stream_len: Ty::U32 => "",
                plaintext_bytes: Ty::U32 => "Σ(chunk len − 40): padded plaintext bytes.",
                tokens_in: Ty::U32 => "At completion.",
                tokens_out: Ty::U32 => "At completion.",
                first_chunk_slot: Ty::U64 => "",
                last_slot: Ty::U64 => "",
                completed_slot: Ty::U64 => "",
                cost: Ty::U64 => "Lamports charged.",
                ..stream: Ty::RemainderBytes => "Frames `u16 len ‖ ciphertext`.",
            ],
        },
    };

    /// Account size for `stream_len` bytes of frames. Callers pass a u32 `stream_len`, so on a
    /// 64-bit `usize` this never wraps.
    #[inline(always)]
    pub const fn space(stream_len: usize) -> usize {
        Self::LEN.wrapping_add(stream_len)
    }

    /// Checks header, version and `len == space(stream_len)`; returns `stream_len`.
    #[inline(always)]
    fn check(data: &[u8]) -> Result<usize, ProgramError> {
        if data.len() < Self::LEN {
            return Err(invalid_account_data());
        }
        check_header(data, Self::DISCRIMINATOR)?;
        let stream_len = u32::from_le_bytes([
            data[STREAM_LEN_OFFSET],
            data[STREAM_LEN_OFFSET + 1],
            data[STREAM_LEN_OFFSET + 2],
            data[STREAM_LEN_OFFSET + 3],
        ]) as usize;
        if data.len() != Self::space(stream_len) {
            return Err(invalid_account_data());
        }
        Ok(stream_len)
    }

    /// The header view (length consistency with `stream_len` is checked).
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

    /// Header and stream.
    #[inline(always)]
    pub fn load_with_stream(data: &[u8]) -> Result<(&Self, &[u8]), ProgramError> {
        Self::check(data)?;
        let (header, stream) = data.split_at(Self::LEN);
        // SAFETY: `header` is exactly `LEN` bytes; alignment 1, byte fields only.
        Ok((unsafe { cast(header) }, stream))
    }

    /// Fresh (zeroed) account of `space(stream_len)` bytes: writes the header and `stream_len`,
    /// returns the header and the (zeroed) stream to fill.
    #[inline(always)]
    pub fn init(data: &mut [u8], stream_len: u32) -> Result<(&mut Self, &mut [u8]), ProgramError> {
        if data.len() != Self::space(stream_len as usize) {
            return Err(invalid_account_data());
        }
        write_header(data, Self::DISCRIMINATOR)?;
        data[STREAM_LEN_OFFSET..STREAM_LEN_OFFSET + 4].copy_from_slice(&stream_len.to_le_bytes());
        Ok(Self::split_mut(data))
    }

    /// An existing account just resized to `space(stream_len)` (its stored `stream_len` is still
    /// the old one): checks the header and the new length, stores the new `stream_len`.
    #[inline(always)]
    pub fn load_resized_mut(
        data: &mut [u8],
        stream_len: u32,
    ) -> Result<(&mut Self, &mut [u8]), ProgramError> {
        if data.len() != Self::space(stream_len as usize) {
            return Err(invalid_account_data());
        }
        check_header(data, Self::DISCRIMINATOR)?;
        data[STREAM_LEN_OFFSET..STREAM_LEN_OFFSET + 4].copy_from_slice(&stream_len.to_le_bytes());
        Ok(Self::split_mut(data))
    }

    #[inline(always)]
    fn split_mut(data: &mut [u8]) -> (&mut Self, &mut [u8]) {
        let (header, stream) = data.split_at_mut(Self::LEN);
        // SAFETY: callers checked `data.len() >= LEN`; alignment 1, byte fields only.
        (unsafe { cast_mut(header) }, stream)
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
    pub fn is_final(&self) -> bool {
        self.is_final != 0
    }

    #[inline(always)]
    pub fn set_final(&mut self, value: bool) {
        self.is_final = value as u8;
    }

    /// The Request account this response answers.
    #[inline(always)]
    pub fn request(&self) -> &[u8; 32] {
        &self.request
    }

    #[inline(always)]
    pub fn set_request(&mut self, request: &[u8; 32]) {
        self.request = *request;
    }

    #[inline(always)]
    pub fn client(&self) -> &[u8; 32] {
        &self.client
    }

    #[inline(always)]
    pub fn set_client(&mut self, client: &[u8; 32]) {
        self.client = *client;
    }

    /// The Server account that locked the request.
    #[inline(always)]
    pub fn server(&self) -> &[u8; 32] {
        &self.server
    }

    #[inline(always)]
    pub fn set_server(&mut self, server: &[u8; 32]) {
        self.server = *server;
    }

    /// The operator wallet that paid the rent and receives it back.
    #[inline(always)]
    pub fn operator(&self) -> &[u8; 32] {
        &self.operator
    }

    #[inline(always)]
    pub fn set_operator(&mut self, operator: &[u8; 32]) {
        self.operator = *operator;
    }

    #[inline(always)]
    pub fn server_key(&self) -> &[u8; 32] {
        &self.server_key
    }

    #[inline(always)]
    pub fn set_server_key(&mut self, key: &[u8; 32]) {
        self.server_key = *key;
    }

    #[inline(always)]
    pub fn is_completed(&self) -> bool {
        self.completed != 0
    }

    #[inline(always)]
    pub fn set_completed(&mut self, value: bool) {
        self.completed = value as u8;
    }

    #[inline(always)]
    pub fn is_rated(&self) -> bool {
        self.rated != 0
    }

    #[inline(always)]
    pub fn set_rated(&mut self, value: bool) {
        self.rated = value as u8;
    }

    /// `stream_len` is changed only through [`Response::init`] / [`Response::load_resized_mut`]
    /// (it defines the account size).
    #[inline(always)]
    pub fn stream_len(&self) -> u32 {
        u32::from_le_bytes(self.stream_len)
    }

    accessors! {
        u64: nonce, set_nonce;
        u32: chunk_count, set_chunk_count;
        u32: plaintext_bytes, set_plaintext_bytes;
        u32: tokens_in, set_tokens_in;
        u32: tokens_out, set_tokens_out;
        u64: first_chunk_slot, set_first_chunk_slot;
        u64: last_slot, set_last_slot;
        u64: completed_slot, set_completed_slot;
        u64: cost, set_cost;
    }
}

/// Byte offsets of `docs/protocol.md` § Accounts, checked at compile time (a layout change that
/// moves a field fails the build, not only `cargo test`).
const _: () = {
    use core::mem::offset_of;
    assert!(offset_of!(Response, bump) == 2);
    assert!(offset_of!(Response, is_final) == 3);
    assert!(offset_of!(Response, request) == 4);
    assert!(offset_of!(Response, client) == 36);
    assert!(offset_of!(Response, server) == 68);
    assert!(offset_of!(Response, operator) == 100);
    assert!(offset_of!(Response, server_key) == 132);
    assert!(offset_of!(Response, nonce) == 164);
    assert!(offset_of!(Response, completed) == 172);
    assert!(offset_of!(Response, rated) == 173);
    assert!(offset_of!(Response, reserved) == 174);
    assert!(offset_of!(Response, chunk_count) == 176);
    assert!(offset_of!(Response, stream_len) == STREAM_LEN_OFFSET);
    assert!(offset_of!(Response, plaintext_bytes) == 184);
    assert!(offset_of!(Response, tokens_in) == 188);
    assert!(offset_of!(Response, tokens_out) == 192);
    assert!(offset_of!(Response, first_chunk_slot) == 196);
    assert!(offset_of!(Response, last_slot) == 204);
    assert!(offset_of!(Response, completed_slot) == 212);
    assert!(offset_of!(Response, cost) == 220);
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_resize_and_load() {
        let mut data = [0u8; Response::space(30)];
        {
            let (r, stream) = Response::init(&mut data[..Response::space(18)], 18).unwrap();
            r.set_chunk_count(1);
            r.set_final(false);
            stream[0] = 16;
            stream[17] = 0xCD;
        }
        {
            let (r, stream) = Response::load_with_stream(&data[..Response::space(18)]).unwrap();
            assert_eq!(r.stream_len(), 18);
            assert_eq!(r.chunk_count(), 1);
            assert_eq!(stream[17], 0xCD);
        }
        // The whole buffer still says stream_len = 18: a length mismatch.
        assert!(Response::load(&data).is_err());
        {
            let (r, stream) = Response::load_resized_mut(&mut data, 30).unwrap();
            assert_eq!(r.stream_len(), 30);
            assert_eq!(stream.len(), 30);
        }
        assert_eq!(Response::load(&data).unwrap().stream_len(), 30);
        assert_eq!(&data[180..184], &30u32.to_le_bytes());
        let mut wrong = data;
        wrong[0] = 4;
        assert!(Response::load(&wrong).is_err());
        assert!(Response::load(&data[..100]).is_err());
    }
}
