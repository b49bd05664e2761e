use pinocchio::error::ProgramError;

use crate::borsh::Reader;

/// `tokens_in u32, tokens_out u32` (8 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompleteRequestData {
    /// Prompt tokens; bounded by the prompt's byte length.
    pub tokens_in: u32,
    /// Answer tokens; bounded by the response's plaintext byte count.
    pub tokens_out: u32,
}

impl CompleteRequestData {
    pub const LEN: usize = 8;
}

impl TryFrom<&[u8]> for CompleteRequestData {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(data: &[u8]) -> Result<Self, Self::Error> {
        let mut reader = Reader::new(data);
        let parsed = Self {
            tokens_in: reader.read_u32()?,
            tokens_out: reader.read_u32()?,
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
    fn parses_exactly_eight_bytes() {
        let bytes = [1, 0, 0, 0, 2, 1, 0, 0];
        assert_eq!(
            CompleteRequestData::try_from(&bytes[..]),
            Ok(CompleteRequestData {
                tokens_in: 1,
                tokens_out: 258
            })
        );
        let invalid = Err(ChainferenceError::InvalidInstructionData.into());
        assert_eq!(CompleteRequestData::try_from(&bytes[..7]), invalid);
        assert_eq!(CompleteRequestData::try_from(&[0u8; 9][..]), invalid);
    }
}
