use pinocchio::error::ProgramError;

use crate::{
    borsh::Reader,
    errors::ChainferenceError,
    instructions::initialize_config::{validate_fee_bps, ConfigLimits},
};

/// `new_admin [32], treasury [32], fee_bps u16, paused u8, then the seven limits` (115 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpdateConfigData<'a> {
    pub new_admin: &'a [u8; 32],
    pub treasury: &'a [u8; 32],
    pub fee_bps: u16,
    pub paused: bool,
    pub limits: ConfigLimits,
}

impl UpdateConfigData<'_> {
    pub const LEN: usize = 32 + 32 + 2 + 1 + ConfigLimits::LEN;
}

impl<'a> TryFrom<&'a [u8]> for UpdateConfigData<'a> {
    type Error = ProgramError;

    fn try_from(data: &'a [u8]) -> Result<Self, Self::Error> {
        let mut reader = Reader::new(data);
        let parsed = Self {
            new_admin: reader.array()?,
            treasury: reader.array()?,
            fee_bps: validate_fee_bps(reader.read_u16()?)?,
            paused: match reader.read_u8()? {
                0 => false,
                1 => true,
                _ => return Err(ChainferenceError::InvalidConfigValue.into()),
            },
            limits: ConfigLimits::read(&mut reader)?,
        };
        reader.finish()?;
        Ok(parsed)
    }
}
