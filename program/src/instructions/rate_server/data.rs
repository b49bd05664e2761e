use pinocchio::error::ProgramError;

use crate::idl::{Arg, Ty};

use crate::borsh::Reader;

/// `rating u8` (1 byte; the 1..=5 range is a rule checked by the processor).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateServerData {
    pub rating: u8,
}

impl RateServerData {
    pub const LEN: usize = 1;
}

/// The Borsh fields after the discriminator, in order (`crate::idl`: the IDL and the generated
/// client come from this list; the tests below encode their input from it).
pub const ARGS: &[Arg] = &[Arg::new("rating", Ty::U8)];

impl TryFrom<&[u8]> for RateServerData {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(data: &[u8]) -> Result<Self, Self::Error> {
        let mut reader = Reader::new(data);
        let parsed = Self {
            rating: reader.read_u8()?,
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
    fn parses_one_byte() {
        let bytes = encode_args(ARGS, &[("rating", V::U8(4))]);
        assert_eq!(bytes.len(), RateServerData::LEN);
        assert_eq!(
            RateServerData::try_from(&bytes[..]),
            Ok(RateServerData { rating: 4 })
        );
        let invalid = Err(ChainferenceError::InvalidInstructionData.into());
        assert_eq!(RateServerData::try_from(&[][..]), invalid);
        assert_eq!(RateServerData::try_from(&[4u8, 0][..]), invalid);
    }
}
