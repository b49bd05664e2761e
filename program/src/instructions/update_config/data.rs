use pinocchio::error::ProgramError;

use crate::{
    borsh::Reader,
    errors::ChainferenceError,
    idl::{Arg, Ty},
    instructions::initialize_config::{validate_fee_bps, ConfigLimits},
};

/// `new_admin [32], treasury [32], fee_bps u16, paused u8, then the eleven limits` (147 bytes).
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

/// The Borsh fields after the discriminator, in order (`crate::idl`: the IDL and the generated
/// client come from this list; the tests below encode their input from it).
pub const ARGS: &[Arg] = &[
    Arg::new("new_admin", Ty::Address),
    Arg::new("treasury", Ty::Address),
    Arg::new("fee_bps", Ty::U16),
    Arg::new("paused", Ty::Flag),
    ConfigLimits::ARGS[0],
    ConfigLimits::ARGS[1],
    ConfigLimits::ARGS[2],
    ConfigLimits::ARGS[3],
    ConfigLimits::ARGS[4],
    ConfigLimits::ARGS[5],
    ConfigLimits::ARGS[6],
    ConfigLimits::ARGS[7],
    ConfigLimits::ARGS[8],
    ConfigLimits::ARGS[9],
    ConfigLimits::ARGS[10],
];

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::idl::tests::{encode_args, V};
    use crate::instructions::initialize_config::data_tests::limit_values;
    use std::vec::Vec;

    fn encode(paused: u8) -> Vec<u8> {
        let mut values = std::vec![
            ("new_admin", V::Fixed(&[1u8; 32])),
            ("treasury", V::Fixed(&[2u8; 32])),
            ("fee_bps", V::U16(700)),
            ("paused", V::Flag(paused == 1)),
        ];
        values.extend(limit_values([
            4096, 65536, 750, 3000, 1500, 9000, 1000, 150, 2_000_000, 30_000, 900,
        ]));
        let mut bytes = encode_args(ARGS, &values);
        bytes[66] = paused; // the paused byte, after 32 + 32 + 2
        bytes
    }

    #[test]
    fn parses_every_field_and_rejects_bad_input() {
        let bytes = encode(1);
        assert_eq!(bytes.len(), UpdateConfigData::LEN);
        let d = UpdateConfigData::try_from(bytes.as_slice()).unwrap();
        assert_eq!(d.new_admin, &[1u8; 32]);
        assert_eq!(d.treasury, &[2u8; 32]);
        assert_eq!(d.fee_bps, 700);
        assert!(d.paused);
        assert_eq!(d.limits.max_prompt_bytes, 4096);
        assert_eq!(d.limits.min_stake, 1000);
        assert_eq!(d.limits.min_response_timeout, 150);
        assert_eq!(d.limits.min_bond, 2_000_000);
        assert_eq!(d.limits.abandon_penalty, 30_000);
        assert_eq!(d.limits.bond_cooldown_slots, 900);
        assert!(
            !UpdateConfigData::try_from(encode(0).as_slice())
                .unwrap()
                .paused
        );
        assert_eq!(
            UpdateConfigData::try_from(encode(2).as_slice()),
            Err(ChainferenceError::InvalidConfigValue.into())
        );
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert_eq!(
            UpdateConfigData::try_from(trailing.as_slice()),
            Err(ChainferenceError::InvalidInstructionData.into())
        );
    }
}
