use pinocchio::error::ProgramError;

use crate::{
    borsh::Reader,
    idl::{Arg, Ty},
    instructions::{
        model_input::ModelInputs,
        register_server::{read_endpoint, read_x25519_key},
    },
};

/// `x25519_key [32], endpoint string, active u8, models Vec<ModelInput>`.
#[derive(Clone, Copy, Debug)]
pub struct UpdateServerData<'a> {
    pub x25519_key: &'a [u8; 32],
    pub endpoint: &'a [u8],
    pub active: bool,
    pub models: ModelInputs<'a>,
}

/// The Borsh fields after the discriminator, in order (`crate::idl`: the IDL and the generated
/// client come from this list; the tests below encode their input from it).
pub const ARGS: &[Arg] = &[
    Arg::new("x25519_key", Ty::Bytes(32)),
    Arg::new("endpoint", Ty::String),
    Arg::new("active", Ty::Flag),
    Arg::new("models", Ty::Vec("modelInput")),
];

impl<'a> TryFrom<&'a [u8]> for UpdateServerData<'a> {
    type Error = ProgramError;

    fn try_from(data: &'a [u8]) -> Result<Self, Self::Error> {
        let mut reader = Reader::new(data);
        let parsed = Self {
            x25519_key: read_x25519_key(&mut reader)?,
            endpoint: read_endpoint(&mut reader)?,
            active: reader.read_flag()?,
            models: ModelInputs::read(&mut reader)?,
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
    use crate::instructions::register_server::data_tests::model;
    use std::vec::Vec;

    fn encode(active: bool) -> Vec<u8> {
        encode_args(
            ARGS,
            &[
                ("x25519_key", V::Fixed(&[3u8; 32])),
                ("endpoint", V::Var(b"https://a.b")),
                ("active", V::Flag(active)),
                (
                    "models",
                    V::Items(std::vec![model("org/name", "main", "Q4_K_M", 1000)]),
                ),
            ],
        )
    }

    #[test]
    fn parses_every_field_and_rejects_bad_input() {
        let bytes = encode(true);
        let d = UpdateServerData::try_from(bytes.as_slice()).unwrap();
        assert_eq!(d.x25519_key, &[3u8; 32]);
        assert_eq!(d.endpoint, b"https://a.b");
        assert!(d.active);
        assert_eq!(d.models.len(), 1);
        assert!(
            !UpdateServerData::try_from(encode(false).as_slice())
                .unwrap()
                .active
        );
        let mut flag = bytes.clone();
        flag[32 + 4 + 11] = 2; // the active byte, after the key and the endpoint
        assert_eq!(
            UpdateServerData::try_from(flag.as_slice()).err(),
            Some(ChainferenceError::InvalidInstructionData.into())
        );
    }
}
