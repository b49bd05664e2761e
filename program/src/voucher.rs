//! Session vouchers: reading the one the Ed25519 precompile verified, through the Instructions
//! sysvar (`docs/sessions.md` § 2).
//!
//! `settle_session` carries no copy of the voucher. The transaction must place an Ed25519
//! precompile instruction **immediately before** it, in the canonical single-signature layout the
//! precompile accepts with every offset pointing into that same instruction:
//!
//! | off | size | field |
//! | ---: | ---: | --- |
//! | 0 | 1 | signature count = 1 |
//! | 1 | 1 | padding = 0 |
//! | 2 | 2 | signature offset = 48 |
//! | 4 | 2 | signature instruction index = 0xFFFF (this instruction) |
//! | 6 | 2 | public key offset = 16 |
//! | 8 | 2 | public key instruction index = 0xFFFF |
//! | 10 | 2 | message offset = 112 |
//! | 12 | 2 | message size = 54 |
//! | 14 | 2 | message instruction index = 0xFFFF |
//! | 16 | 32 | public key (the session's voucher signer) |
//! | 48 | 64 | signature |
//! | 112 | 54 | the voucher |
//!
//! The runtime runs the precompile before any program, so a transaction that reaches
//! `settle_session` has had that signature verified over exactly those bytes. Pinning every field
//! (not only the ones we read) closes the classic introspection holes: a second signature whose
//! offsets cover other bytes, offsets that make the precompile read the key or the message from
//! another instruction while ours reads its own bytes, and a verified region that is not the one
//! read here.
//!
//! Instructions sysvar data: `u16 count, u16 offset[count]`, then per instruction `u16
//! account_count, (u8 flags, [32] key) × account_count, [32] program_id, u16 data_len, data`; the
//! last two bytes are the index of the instruction executing now. Everything is read with bounds
//! checks (the sysvar's address is checked, but a parser that trusts its input costs little to
//! avoid).

use pinocchio::{error::ProgramError, sysvars::instructions::INSTRUCTIONS_ID, AccountView};

use crate::{
    checks::eq32,
    constants::{VOUCHER_LEN, VOUCHER_MAGIC},
    errors::ChainferenceError,
};

/// `Ed25519SigVerify111111111111111111111111111`.
pub const ED25519_PROGRAM_ID: [u8; 32] = [
    0x03, 0x7d, 0x46, 0xd6, 0x7c, 0x93, 0xfb, 0xbe, 0x12, 0xf9, 0x42, 0x8f, 0x83, 0x8d, 0x40, 0xff,
    0x05, 0x70, 0x74, 0x49, 0x27, 0xf4, 0x8a, 0x64, 0xfc, 0xca, 0x70, 0x44, 0x80, 0x00, 0x00, 0x00,
];

/// Offsets of the canonical single-signature layout (table above).
pub const PUBKEY_OFFSET: usize = 16;
pub const SIGNATURE_OFFSET: usize = 48;
pub const MESSAGE_OFFSET: usize = 112;
/// Length of the canonical precompile instruction data carrying one voucher: 166.
pub const PRECOMPILE_DATA_LEN: usize = MESSAGE_OFFSET + VOUCHER_LEN;
/// "This instruction" as a precompile instruction index.
const THIS_INSTRUCTION: u16 = u16::MAX;
/// One account meta in the sysvar: flags byte + key.
const ACCOUNT_META_LEN: usize = 33;

/// A voucher's fields (`docs/sessions.md` § 2), as verified by the precompile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Voucher<'a> {
    /// The Ed25519 key the precompile checked the signature against.
    pub signer: &'a [u8; 32],
    pub session: &'a [u8; 32],
    pub cumulative_lamports: u64,
    pub cumulative_tokens: u64,
    pub cumulative_answers: u32,
}

#[cold]
#[inline(never)]
fn fail(e: ChainferenceError) -> ProgramError {
    e.into()
}

#[inline(always)]
fn u16_at(data: &[u8], at: usize) -> Result<u16, ProgramError> {
    match data.get(at..at.wrapping_add(2)) {
        Some(&[a, b]) => Ok(u16::from_le_bytes([a, b])),
        _ => Err(fail(ChainferenceError::InvalidInstructionsSysvar)),
    }
}

/// The data of the instruction right before the current one, and its program id.
/// `InvalidInstructionsSysvar` for data that does not parse; `VoucherMissing` when the current
/// instruction is the first.
#[inline(always)]
fn previous_instruction(sysvar: &[u8]) -> Result<(&[u8; 32], &[u8]), ProgramError> {
    let len = sysvar.len();
    if len < 4 {
        return Err(fail(ChainferenceError::InvalidInstructionsSysvar));
    }
    // `len ≥ 4`: no wrap.
    let current = u16_at(sysvar, len.wrapping_sub(2))?;
    if current == 0 {
        return Err(fail(ChainferenceError::VoucherMissing));
    }
    let previous = current.wrapping_sub(1) as usize;
    if previous >= u16_at(sysvar, 0)? as usize {
        return Err(fail(ChainferenceError::InvalidInstructionsSysvar));
    }
    // `previous < 2^16`: `2 + 2·previous` cannot wrap.
    let start = u16_at(sysvar, 2usize.wrapping_add(previous.wrapping_mul(2)))? as usize;
    let accounts = u16_at(sysvar, start)? as usize;
    // `start, accounts < 2^16`: every sum below stays far from usize::MAX.
    let program_at = start
        .wrapping_add(2)
        .wrapping_add(accounts.wrapping_mul(ACCOUNT_META_LEN));
    let program_id: &[u8; 32] = sysvar
        .get(program_at..program_at.wrapping_add(32))
        .and_then(|p| p.try_into().ok())
        .ok_or_else(|| fail(ChainferenceError::InvalidInstructionsSysvar))?;
    let data_len_at = program_at.wrapping_add(32);
    let data_len = u16_at(sysvar, data_len_at)? as usize;
    let data_at = data_len_at.wrapping_add(2);
    let data = sysvar
        .get(data_at..data_at.wrapping_add(data_len))
        .ok_or_else(|| fail(ChainferenceError::InvalidInstructionsSysvar))?;
    Ok((program_id, data))
}

/// The voucher in the precompile instruction data `data` (the checks of the module docs):
/// `VoucherMalformed` unless one signature with a zero padding byte; `VoucherNotInline` unless all
/// three instruction indexes are 0xFFFF (checked before the length, so an instruction whose
/// offsets point elsewhere is named for that whatever its size); `VoucherMalformed` unless
/// exactly 166 bytes with the canonical offsets and a 54-byte message; `VoucherMagicMismatch`
/// unless the message starts with `0x43 0x01`.
#[inline(always)]
pub fn parse_precompile_data(data: &[u8]) -> Result<Voucher<'_>, ProgramError> {
    if data.len() < PUBKEY_OFFSET || data[0] != 1 || data[1] != 0 {
        return Err(fail(ChainferenceError::VoucherMalformed));
    }
    let field = |i: usize| u16::from_le_bytes([data[i], data[i.wrapping_add(1)]]);
    if field(4) != THIS_INSTRUCTION || field(8) != THIS_INSTRUCTION || field(14) != THIS_INSTRUCTION
    {
        return Err(fail(ChainferenceError::VoucherNotInline));
    }
    if data.len() != PRECOMPILE_DATA_LEN
        || field(2) as usize != SIGNATURE_OFFSET
        || field(6) as usize != PUBKEY_OFFSET
        || field(10) as usize != MESSAGE_OFFSET
        || field(12) as usize != VOUCHER_LEN
    {
        return Err(fail(ChainferenceError::VoucherMalformed));
    }
    let (head, message) = data.split_at(MESSAGE_OFFSET);
    if message[..2] != VOUCHER_MAGIC {
        return Err(fail(ChainferenceError::VoucherMagicMismatch));
    }
    let word = |at: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&message[at..at.wrapping_add(8)]);
        u64::from_le_bytes(b)
    };
    Ok(Voucher {
        // Both ranges are inside the 166 checked bytes.
        signer: head[PUBKEY_OFFSET..SIGNATURE_OFFSET]
            .try_into()
            .map_err(|_| fail(ChainferenceError::VoucherMalformed))?,
        session: message[2..34]
            .try_into()
            .map_err(|_| fail(ChainferenceError::VoucherMalformed))?,
        cumulative_lamports: word(34),
        cumulative_tokens: word(42),
        cumulative_answers: u32::from_le_bytes([
            message[50],
            message[51],
            message[52],
            message[53],
        ]),
    })
}

/// `InvalidInstructionsSysvar` unless `account` is the Instructions sysvar.
#[inline(always)]
pub fn check_instructions_sysvar(account: &AccountView) -> Result<(), ProgramError> {
    if eq32(account.address().as_array(), INSTRUCTIONS_ID.as_array()) {
        Ok(())
    } else {
        Err(fail(ChainferenceError::InvalidInstructionsSysvar))
    }
}

/// The voucher verified by the Ed25519 precompile instruction immediately before the current
/// instruction (`VoucherMissing` when that instruction is not the precompile's, or there is none).
/// `sysvar` is the Instructions sysvar's data ([`check_instructions_sysvar`] first).
#[inline(always)]
pub fn verified_voucher(sysvar: &[u8]) -> Result<Voucher<'_>, ProgramError> {
    let (program_id, data) = previous_instruction(sysvar)?;
    if !eq32(program_id, &ED25519_PROGRAM_ID) {
        return Err(fail(ChainferenceError::VoucherMissing));
    }
    parse_precompile_data(data)
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // test fixtures build small buffers
mod tests {
    use super::*;
    use std::vec::Vec;

    fn err(e: ChainferenceError) -> ProgramError {
        e.into()
    }

    fn canonical(message: &[u8]) -> Vec<u8> {
        let mut d = std::vec![1u8, 0];
        for v in [48u16, 0xFFFF, 16, 0xFFFF, 112, message.len() as u16, 0xFFFF] {
            d.extend_from_slice(&v.to_le_bytes());
        }
        d.extend_from_slice(&[0x11; 32]);
        d.extend_from_slice(&[0x22; 64]);
        d.extend_from_slice(message);
        d
    }

    fn voucher_bytes() -> Vec<u8> {
        let mut m = std::vec![0x43, 0x01];
        m.extend_from_slice(&[0x33; 32]);
        m.extend_from_slice(&7u64.to_le_bytes());
        m.extend_from_slice(&9u64.to_le_bytes());
        m.extend_from_slice(&3u32.to_le_bytes());
        m
    }

    /// Instructions sysvar data for `(program_id, account count, data)` instructions, current = `current`.
    fn sysvar(ixs: &[([u8; 32], usize, Vec<u8>)], current: u16) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&(ixs.len() as u16).to_le_bytes());
        let header = 2 + 2 * ixs.len();
        let mut bodies = Vec::new();
        for (program, accounts, data) in ixs {
            let mut body = Vec::new();
            body.extend_from_slice(&(*accounts as u16).to_le_bytes());
            for i in 0..*accounts {
                body.push(1);
                body.extend_from_slice(&[i as u8; 32]);
            }
            body.extend_from_slice(program);
            body.extend_from_slice(&(data.len() as u16).to_le_bytes());
            body.extend_from_slice(data);
            bodies.push(body);
        }
        let mut offset = header;
        for b in &bodies {
            out.extend_from_slice(&(offset as u16).to_le_bytes());
            offset += b.len();
        }
        for b in bodies {
            out.extend_from_slice(&b);
        }
        out.extend_from_slice(&current.to_le_bytes());
        out
    }

    #[test]
    fn reads_the_canonical_voucher_right_before() {
        let data = canonical(&voucher_bytes());
        assert_eq!(data.len(), PRECOMPILE_DATA_LEN);
        let s = sysvar(
            &[(ED25519_PROGRAM_ID, 0, data), ([9; 32], 5, std::vec![17])],
            1,
        );
        let v = verified_voucher(&s).unwrap();
        assert_eq!(v.signer, &[0x11; 32]);
        assert_eq!(v.session, &[0x33; 32]);
        assert_eq!(
            (
                v.cumulative_lamports,
                v.cumulative_tokens,
                v.cumulative_answers
            ),
            (7, 9, 3)
        );
    }

    #[test]
    fn missing_or_not_immediately_before() {
        let data = canonical(&voucher_bytes());
        // The settle is first: nothing before it.
        let s = sysvar(
            &[
                ([9; 32], 5, std::vec![17]),
                (ED25519_PROGRAM_ID, 0, data.clone()),
            ],
            0,
        );
        assert_eq!(
            verified_voucher(&s),
            Err(err(ChainferenceError::VoucherMissing))
        );
        // Another instruction in between.
        let s = sysvar(
            &[
                (ED25519_PROGRAM_ID, 0, data),
                ([7; 32], 1, std::vec![]),
                ([9; 32], 5, std::vec![17]),
            ],
            2,
        );
        assert_eq!(
            verified_voucher(&s),
            Err(err(ChainferenceError::VoucherMissing))
        );
        // Truncated sysvar data.
        assert_eq!(
            verified_voucher(&[1, 0]),
            Err(err(ChainferenceError::InvalidInstructionsSysvar))
        );
        let mut s = sysvar(
            &[
                ([7; 32], 1, std::vec![1, 2, 3]),
                ([9; 32], 5, std::vec![17]),
            ],
            1,
        );
        s.truncate(20);
        s.extend_from_slice(&1u16.to_le_bytes());
        assert_eq!(
            verified_voucher(&s),
            Err(err(ChainferenceError::InvalidInstructionsSysvar))
        );
    }

    #[test]
    fn every_layout_field_is_pinned() {
        let good = canonical(&voucher_bytes());
        assert!(parse_precompile_data(&good).is_ok());
        let malformed = Err(err(ChainferenceError::VoucherMalformed));
        let not_inline = Err(err(ChainferenceError::VoucherNotInline));
        let with = |at: usize, v: u16| {
            let mut d = good.clone();
            d[at..at + 2].copy_from_slice(&v.to_le_bytes());
            d
        };
        // Signature count 0 or 2, padding.
        for (at, v) in [(0usize, 0u8), (0, 2), (1, 1)] {
            let mut d = good.clone();
            d[at] = v;
            assert_eq!(parse_precompile_data(&d), malformed);
        }
        // Instruction indexes.
        for at in [4, 8, 14] {
            assert_eq!(parse_precompile_data(&with(at, 0)), not_inline);
            assert_eq!(parse_precompile_data(&with(at, 2)), not_inline);
        }
        // Offsets and message size.
        assert_eq!(parse_precompile_data(&with(2, 49)), malformed);
        assert_eq!(parse_precompile_data(&with(6, 17)), malformed);
        assert_eq!(parse_precompile_data(&with(10, 113)), malformed);
        assert_eq!(parse_precompile_data(&with(12, 53)), malformed);
        // Length: a 55- or 53-byte message, and short data.
        let mut long = voucher_bytes();
        long.push(0);
        assert_eq!(parse_precompile_data(&canonical(&long)), malformed);
        assert_eq!(
            parse_precompile_data(&canonical(&voucher_bytes()[..53])),
            malformed
        );
        assert_eq!(parse_precompile_data(&good[..15]), malformed);
        // A cross-instruction header of only 16 bytes is named for what it is.
        let mut cross = good[..16].to_vec();
        cross[4..6].copy_from_slice(&0u16.to_le_bytes());
        assert_eq!(parse_precompile_data(&cross), not_inline);
        // Magic and version.
        for (at, v) in [(112usize, 0x44u8), (113, 0x02)] {
            let mut d = good.clone();
            d[at] = v;
            assert_eq!(
                parse_precompile_data(&d),
                Err(err(ChainferenceError::VoucherMagicMismatch))
            );
        }
    }
}
