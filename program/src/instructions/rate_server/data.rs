use pinocchio::error::ProgramError;

use crate::borsh::Reader;

/// `rating u8` (1 byte; the 1..=5 range is a rule checked by the processor).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateServerData {
    pub rating: u8,
}

impl RateServerData {
    pub const LEN: usize = 1;
}

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

    #[test]
    fn parses_one_byte() {
        assert_eq!(
            RateServerData::try_from(&[4u8][..]),
            Ok(RateServerData { rating: 4 })
        );
        let invalid = Err(ChainferenceError::InvalidInstructionData.into());
        assert_eq!(RateServerData::try_from(&[][..]), invalid);
        assert_eq!(RateServerData::try_from(&[4u8, 0][..]), invalid);
    }
}
