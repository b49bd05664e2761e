use pinocchio::error::ProgramError;

use crate::idl::{Arg, Ty};

use crate::borsh::Reader;

/// `offset u32, data bytes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppendPromptData<'a> {
    /// Must equal `request.prompt_written` (appends are sequential).
    pub offset: u32,
    pub data: &'a [u8],
}

/// The Borsh fields after the discriminator, in order (`crate::idl`: the IDL and the generated
/// client come from this list; the tests below encode their input from it).
pub const ARGS: &[Arg] = &[Arg::new("offset", Ty::U32), Arg::new("data", Ty::VarBytes)];

impl<'a> TryFrom<&'a [u8]> for AppendPromptData<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(data: &'a [u8]) -> Result<Self, Self::Error> {
        let mut reader = Reader::new(data);
        let parsed = Self {
            offset: reader.read_u32()?,
            data: reader.bytes()?,
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
    fn parses_and_rejects_trailing() {
        let bytes = encode_args(
            ARGS,
            &[("offset", V::U32(5)), ("data", V::Var(&[0xAA, 0xBB]))],
        );
        assert_eq!(bytes, [5, 0, 0, 0, 2, 0, 0, 0, 0xAA, 0xBB]);
        let d = AppendPromptData::try_from(&bytes[..]).unwrap();
        assert_eq!(d.offset, 5);
        assert_eq!(d.data, &[0xAA, 0xBB]);
        let mut long = bytes.to_vec();
        long.push(0);
        assert_eq!(
            AppendPromptData::try_from(long.as_slice()),
            Err(ChainferenceError::InvalidInstructionData.into())
        );
        assert_eq!(
            AppendPromptData::try_from(&bytes[..9]),
            Err(ChainferenceError::InvalidInstructionData.into())
        );
    }
}
