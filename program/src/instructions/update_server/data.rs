use pinocchio::error::ProgramError;

use crate::{
    borsh::Reader,
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
