use pinocchio::error::ProgramError;

use crate::{
    borsh::Reader,
    errors::ChainferenceError,
    idl::{Arg, Ty},
};

/// `amount u64` (`deposit_bond` and `withdraw_bond`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BondAmountData {
    /// Lamports (> 0, `ZeroBondAmount`).
    pub amount: u64,
}

/// The Borsh fields after the discriminator, in order (`crate::idl`).
pub const ARGS: &[Arg] = &[Arg::new("amount", Ty::U64).docs("Lamports (> 0).")];

impl TryFrom<&[u8]> for BondAmountData {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(data: &[u8]) -> Result<Self, Self::Error> {
        let mut reader = Reader::new(data);
        let amount = reader.read_u64()?;
        reader.finish()?;
        if amount == 0 {
            return Err(ChainferenceError::ZeroBondAmount.into());
        }
        Ok(Self { amount })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::idl::tests::{encode_args, V};

    #[test]
    fn parses_exactly_eight_nonzero_bytes() {
        let bytes = encode_args(ARGS, &[("amount", V::U64(258))]);
        assert_eq!(
            BondAmountData::try_from(&bytes[..]),
            Ok(BondAmountData { amount: 258 })
        );
        let invalid = Err(ChainferenceError::InvalidInstructionData.into());
        assert_eq!(BondAmountData::try_from(&bytes[..7]), invalid);
        assert_eq!(BondAmountData::try_from(&[1u8; 9][..]), invalid);
        assert_eq!(
            BondAmountData::try_from(&[0u8; 8][..]),
            Err(ChainferenceError::ZeroBondAmount.into())
        );
    }
}
