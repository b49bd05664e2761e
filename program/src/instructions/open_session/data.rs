use pinocchio::error::ProgramError;

use crate::{
    borsh::Reader,
    idl::{Arg, Ty},
};

/// `open_slot u64, bump u8, model string, revision string, deposit u64, expiry_slot u64,
/// grace_slots u64, max_price_in u64, max_price_out u64, min_completed u64, min_success_bps u16,
/// min_avg_rating u16, voucher_signer [32]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenSessionData<'a> {
    /// A recent slot, a PDA seed (`open_slot ≤ now ≤ open_slot + OPEN_SLOT_WINDOW`).
    pub open_slot: u64,
    pub bump: u8,
    pub model: &'a [u8],
    pub revision: &'a [u8],
    pub deposit: u64,
    pub expiry_slot: u64,
    pub grace_slots: u64,
    pub max_price_in: u64,
    pub max_price_out: u64,
    pub min_completed: u64,
    pub min_success_bps: u16,
    pub min_avg_rating: u16,
    pub voucher_signer: &'a [u8; 32],
}

/// The Borsh fields after the discriminator, in order (`crate::idl`).
pub const ARGS: &[Arg] = &[
    Arg::new("open_slot", Ty::U64).docs("A recent slot: ≤ now and ≥ now − 150."),
    Arg::new("bump", Ty::U8).bump_of("session"),
    Arg::new("model", Ty::String),
    Arg::new("revision", Ty::String).docs("Empty = any revision."),
    Arg::new("deposit", Ty::U64).docs("Lamports escrowed; ≥ the config's min_stake."),
    Arg::new("expiry_slot", Ty::U64).docs("No settle at or after this slot."),
    Arg::new("grace_slots", Ty::U64).docs("≥ 150."),
    Arg::new("max_price_in", Ty::U64),
    Arg::new("max_price_out", Ty::U64),
    Arg::new("min_completed", Ty::U64),
    Arg::new("min_success_bps", Ty::U16),
    Arg::new("min_avg_rating", Ty::U16),
    Arg::new("voucher_signer", Ty::Address).docs("Ed25519 key that will sign vouchers."),
];

impl<'a> TryFrom<&'a [u8]> for OpenSessionData<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(data: &'a [u8]) -> Result<Self, Self::Error> {
        let mut reader = Reader::new(data);
        let parsed = Self {
            open_slot: reader.read_u64()?,
            bump: reader.read_u8()?,
            model: reader.string()?,
            revision: reader.string()?,
            deposit: reader.read_u64()?,
            expiry_slot: reader.read_u64()?,
            grace_slots: reader.read_u64()?,
            max_price_in: reader.read_u64()?,
            max_price_out: reader.read_u64()?,
            min_completed: reader.read_u64()?,
            min_success_bps: reader.read_u16()?,
            min_avg_rating: reader.read_u16()?,
            voucher_signer: reader.array::<32>()?,
        };
        reader.finish()?;
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::ChainferenceError;
    use crate::idl::tests::{encode_args, V};

    #[test]
    fn parses_every_field_and_rejects_trailing_bytes() {
        let mut bytes = encode_args(
            ARGS,
            &[
                ("open_slot", V::U64(77)),
                ("bump", V::U8(250)),
                ("model", V::Var(b"org/name")),
                ("revision", V::Var(b"main")),
                ("deposit", V::U64(5_000_000)),
                ("expiry_slot", V::U64(9_000)),
                ("grace_slots", V::U64(300)),
                ("max_price_in", V::U64(11)),
                ("max_price_out", V::U64(12)),
                ("min_completed", V::U64(13)),
                ("min_success_bps", V::U16(14)),
                ("min_avg_rating", V::U16(15)),
                ("voucher_signer", V::Fixed(&[6u8; 32])),
            ],
        );
        let d = OpenSessionData::try_from(bytes.as_slice()).unwrap();
        assert_eq!(
            d,
            OpenSessionData {
                open_slot: 77,
                bump: 250,
                model: b"org/name",
                revision: b"main",
                deposit: 5_000_000,
                expiry_slot: 9_000,
                grace_slots: 300,
                max_price_in: 11,
                max_price_out: 12,
                min_completed: 13,
                min_success_bps: 14,
                min_avg_rating: 15,
                voucher_signer: &[6u8; 32],
            }
        );
        bytes.push(0);
        let invalid = Err(ChainferenceError::InvalidInstructionData.into());
        assert_eq!(OpenSessionData::try_from(bytes.as_slice()), invalid);
        bytes.truncate(bytes.len() - 2);
        assert_eq!(OpenSessionData::try_from(bytes.as_slice()), invalid);
    }
}
