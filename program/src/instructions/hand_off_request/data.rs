use pinocchio::error::ProgramError;

use crate::{
    borsh::Reader,
    idl::{Arg, Ty},
    state::AllowedServer,
};

/// `replace_index u8, entry AllowedServer` (`server [32], key_epoch u32, wrapped_key [48]`: the
/// account encoding, copied as is).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandOffRequestData<'a> {
    pub replace_index: u8,
    pub entry: &'a [u8; AllowedServer::LEN],
}

impl HandOffRequestData<'_> {
    pub const LEN: usize = 1 + AllowedServer::LEN;
}

/// The Borsh fields after the discriminator, in order (`crate::idl`: the IDL and the generated
/// client come from this list; the tests below encode their input from it).
pub const ARGS: &[Arg] = &[
    Arg::new("replace_index", Ty::U8).docs("The allow-list entry to replace (< allowed_count)."),
    Arg::new("entry", Ty::Struct("allowedServer"))
        .docs("The new entry: the data key wrapped for the new server's current key."),
];

impl<'a> TryFrom<&'a [u8]> for HandOffRequestData<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(data: &'a [u8]) -> Result<Self, Self::Error> {
        let mut reader = Reader::new(data);
        let replace_index = reader.read_u8()?;
        let entry = reader.array::<{ AllowedServer::LEN }>()?;
        reader.finish()?;
        Ok(Self {
            replace_index,
            entry,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::ChainferenceError;
    use crate::idl::tests::{encode_args, V};

    #[test]
    fn parses_index_and_entry() {
        let mut entry = [0u8; AllowedServer::LEN];
        entry[0] = 9;
        entry[32] = 2;
        entry[83] = 0xEE;
        let bytes = encode_args(
            ARGS,
            &[("replace_index", V::U8(3)), ("entry", V::Fixed(&entry))],
        );
        assert_eq!(bytes.len(), HandOffRequestData::LEN);
        let d = HandOffRequestData::try_from(&bytes[..]).unwrap();
        assert_eq!(d.replace_index, 3);
        let parsed = AllowedServer::from_raw(d.entry);
        assert_eq!(parsed.server()[0], 9);
        assert_eq!(parsed.key_epoch(), 2);
        assert_eq!(parsed.wrapped_key()[47], 0xEE);
        let invalid = Err(ChainferenceError::InvalidInstructionData.into());
        assert_eq!(HandOffRequestData::try_from(&bytes[..84]), invalid);
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(HandOffRequestData::try_from(&long[..]), invalid);
    }
}
