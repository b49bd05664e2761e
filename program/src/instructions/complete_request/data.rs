use pinocchio::error::ProgramError;

use crate::idl::{Arg, Ty};

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

/// The Borsh fields after the discriminator, in order (`crate::idl`: the IDL and the generated
/// client come from this list; the tests below encode their input from it).
pub const ARGS: &[Arg] = &[
    Arg::new("tokens_in", Ty::U32),
    Arg::new("tokens_out", Ty::U32),
];

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
    use crate::idl::tests::{encode_args, V};

    #[test]
    fn parses_exactly_eight_bytes() {
        let bytes = encode_args(
            ARGS,
            &[("tokens_in", V::U32(1)), ("tokens_out", V::U32(258))],
        );
        assert_eq!(bytes.len(), CompleteRequestData::LEN);
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
