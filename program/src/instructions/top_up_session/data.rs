use pinocchio::error::ProgramError;

use crate::{
    borsh::Reader,
    idl::{Arg, Ty},
};

/// `amount u64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TopUpSessionData {
    /// Lamports added to the deposit (> 0).
    pub amount: u64,
}

/// The Borsh fields after the discriminator, in order (`crate::idl`).
pub const ARGS: &[Arg] =
    &[Arg::new("amount", Ty::U64).docs("Lamports added to the deposit (> 0).")];

impl TryFrom<&[u8]> for TopUpSessionData {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(data: &[u8]) -> Result<Self, Self::Error> {
        let mut reader = Reader::new(data);
        let parsed = Self {
            amount: reader.read_u64()?,
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
    fn parses_exactly_eight_bytes() {
        let bytes = encode_args(ARGS, &[("amount", V::U64(258))]);
        assert_eq!(
            TopUpSessionData::try_from(&bytes[..]),
            Ok(TopUpSessionData { amount: 258 })
        );
        let invalid = Err(ChainferenceError::InvalidInstructionData.into());
        assert_eq!(TopUpSessionData::try_from(&bytes[..7]), invalid);
        assert_eq!(TopUpSessionData::try_from(&[0u8; 9][..]), invalid);
    }
}
