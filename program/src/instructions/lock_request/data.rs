use pinocchio::error::ProgramError;

use crate::{
    borsh::Reader,
    idl::{Arg, Ty},
};

/// `x25519_key [32]`: the key the server locks with (it must be the server's current key). It
/// puts the locker's key in instruction data, so the response key can be derived from history
/// after the request and response accounts are closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockRequestData<'a> {
    pub x25519_key: &'a [u8; 32],
}

impl LockRequestData<'_> {
    pub const LEN: usize = 32;
}

/// The Borsh fields after the discriminator, in order (`crate::idl`: the IDL and the generated
/// client come from this list; the tests below encode their input from it).
pub const ARGS: &[Arg] = &[Arg::new("x25519_key", Ty::Bytes(32))
    .docs("The server's current X25519 key (`server.x25519_key`), recorded in the transaction.")];

impl<'a> TryFrom<&'a [u8]> for LockRequestData<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(data: &'a [u8]) -> Result<Self, Self::Error> {
        let mut reader = Reader::new(data);
        let x25519_key = reader.array::<32>()?;
        reader.finish()?;
        Ok(Self { x25519_key })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::ChainferenceError;
    use crate::idl::tests::{encode_args, V};

    #[test]
    fn parses_the_key_and_nothing_else() {
        let bytes = encode_args(ARGS, &[("x25519_key", V::Fixed(&[5u8; 32]))]);
        assert_eq!(bytes.len(), LockRequestData::LEN);
        assert_eq!(
            LockRequestData::try_from(&bytes[..]).unwrap().x25519_key,
            &[5u8; 32]
        );
        let invalid = Err(ChainferenceError::InvalidInstructionData.into());
        assert_eq!(LockRequestData::try_from(&bytes[..31]), invalid);
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(LockRequestData::try_from(&long[..]), invalid);
        assert_eq!(LockRequestData::try_from(&[][..]), invalid);
    }
}
