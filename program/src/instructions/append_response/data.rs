use pinocchio::error::ProgramError;

use crate::idl::{Arg, Ty};

use crate::borsh::Reader;

/// `chunk_index u32, is_final u8, reserve_bytes u32, ciphertext bytes`. No bump: the first chunk
/// creates the response at `["response", request, [request.response_bump]]`, the address the
/// client fixed when it posted, so the server cannot choose another one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppendResponseData<'a> {
    /// Must equal `response.chunk_count` (0 for the first chunk): a replay fails.
    pub chunk_index: u32,
    /// Last chunk of the answer (0/1).
    pub is_final: bool,
    /// Stream bytes to prefund rent for (capped at the request's `max_response_bytes`): used when
    /// the first chunk creates the response, and by a later chunk only when the rent must be
    /// topped up.
    pub reserve_bytes: u32,
    /// One encrypted chunk (ciphertext ‖ 16-byte tag).
    pub ciphertext: &'a [u8],
}

/// The Borsh fields after the discriminator, in order (`crate::idl`: the IDL and the generated
/// client come from this list; the tests below encode their input from it).
pub const ARGS: &[Arg] = &[
    Arg::new("chunk_index", Ty::U32),
    Arg::new("is_final", Ty::Flag),
    Arg::new("reserve_bytes", Ty::U32),
    Arg::new("ciphertext", Ty::VarBytes),
];

impl<'a> TryFrom<&'a [u8]> for AppendResponseData<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(data: &'a [u8]) -> Result<Self, Self::Error> {
        let mut reader = Reader::new(data);
        let parsed = Self {
            chunk_index: reader.read_u32()?,
            is_final: reader.read_flag()?,
            reserve_bytes: reader.read_u32()?,
            ciphertext: reader.bytes()?,
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
    fn parses_and_rejects_bad_input() {
        let bytes = encode_args(
            ARGS,
            &[
                ("chunk_index", V::U32(3)),
                ("is_final", V::Flag(true)),
                ("reserve_bytes", V::U32(1024)),
                ("ciphertext", V::Var(&[0xAA, 0xBB])),
            ],
        );
        let d = AppendResponseData::try_from(&bytes[..]).unwrap();
        assert_eq!(d.chunk_index, 3);
        assert!(d.is_final);
        assert_eq!(d.reserve_bytes, 1024);
        assert_eq!(d.ciphertext, &[0xAA, 0xBB]);
        let invalid = Err(ChainferenceError::InvalidInstructionData.into());
        let mut long = bytes.to_vec();
        long.push(0);
        assert_eq!(AppendResponseData::try_from(long.as_slice()), invalid);
        assert_eq!(AppendResponseData::try_from(&bytes[..14]), invalid);
        let mut flag = bytes.clone();
        flag[4] = 2;
        assert_eq!(AppendResponseData::try_from(&flag[..]), invalid);
    }
}
