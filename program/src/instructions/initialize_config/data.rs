use pinocchio::error::ProgramError;

use crate::{
    borsh::Reader,
    constants::MAX_FEE_BPS,
    errors::ChainferenceError,
    idl::{Arg, Ty},
    state::Config,
};

/// The eleven limits shared by `initialize_config` and `update_config`, in wire order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfigLimits {
    pub max_prompt_bytes: u32,
    pub max_response_bytes: u32,
    pub default_response_timeout: u64,
    pub max_response_timeout: u64,
    pub open_request_slots: u64,
    pub close_grace_slots: u64,
    pub min_stake: u64,
    pub min_response_timeout: u64,
    pub min_bond: u64,
    pub abandon_penalty: u64,
    pub bond_cooldown_slots: u64,
}

impl ConfigLimits {
    /// Wire size: 2 × u32 + 9 × u64.
    pub const LEN: usize = 80;

    /// The eleven limits in wire order (`crate::idl`).
    pub const ARGS: [Arg; 11] = [
        Arg::new("max_prompt_bytes", Ty::U32),
        Arg::new("max_response_bytes", Ty::U32),
        Arg::new("default_response_timeout", Ty::U64),
        Arg::new("max_response_timeout", Ty::U64),
        Arg::new("open_request_slots", Ty::U64),
        Arg::new("close_grace_slots", Ty::U64),
        Arg::new("min_stake", Ty::U64),
        Arg::new("min_response_timeout", Ty::U64),
        Arg::new("min_bond", Ty::U64),
        Arg::new("abandon_penalty", Ty::U64),
        Arg::new("bond_cooldown_slots", Ty::U64),
    ];

    /// Reads the limits and checks their sanity: byte limits, timeouts and the open-request
    /// lifetime are non-zero, `min_response_timeout ≤ default_response_timeout ≤
    /// max_response_timeout` (`InvalidConfigValue`). `abandon_penalty ≤ min_bond` (a server bonded at the minimum can pay at least one penalty).
    /// `close_grace_slots`, `min_stake` and the three bond values may be zero.
    #[inline(always)]
    pub fn read(reader: &mut Reader) -> Result<Self, ProgramError> {
        let limits = Self {
            max_prompt_bytes: reader.read_u32()?,
            max_response_bytes: reader.read_u32()?,
            default_response_timeout: reader.read_u64()?,
            max_response_timeout: reader.read_u64()?,
            open_request_slots: reader.read_u64()?,
            close_grace_slots: reader.read_u64()?,
            min_stake: reader.read_u64()?,
            min_response_timeout: reader.read_u64()?,
            min_bond: reader.read_u64()?,
            abandon_penalty: reader.read_u64()?,
            bond_cooldown_slots: reader.read_u64()?,
        };
        if limits.max_prompt_bytes == 0
            || limits.max_response_bytes == 0
            || limits.default_response_timeout == 0
            || limits.default_response_timeout > limits.max_response_timeout
            || limits.min_response_timeout == 0
            || limits.min_response_timeout > limits.default_response_timeout
            || limits.open_request_slots == 0
            || limits.abandon_penalty > limits.min_bond
        {
            return Err(ChainferenceError::InvalidConfigValue.into());
        }
        Ok(limits)
    }

    #[inline(always)]
    pub fn write(&self, config: &mut Config) {
        config.set_max_prompt_bytes(self.max_prompt_bytes);
        config.set_max_response_bytes(self.max_response_bytes);
        config.set_default_response_timeout(self.default_response_timeout);
        config.set_max_response_timeout(self.max_response_timeout);
        config.set_open_request_slots(self.open_request_slots);
        config.set_close_grace_slots(self.close_grace_slots);
        config.set_min_stake(self.min_stake);
        config.set_min_response_timeout(self.min_response_timeout);
        config.set_min_bond(self.min_bond);
        config.set_abandon_penalty(self.abandon_penalty);
        config.set_bond_cooldown_slots(self.bond_cooldown_slots);
    }
}

/// `FeeTooHigh` above `MAX_FEE_BPS`.
#[inline(always)]
pub fn validate_fee_bps(fee_bps: u16) -> Result<u16, ProgramError> {
    if fee_bps > MAX_FEE_BPS {
        Err(ChainferenceError::FeeTooHigh.into())
    } else {
        Ok(fee_bps)
    }
}

/// `treasury [32], fee_bps u16, then the eleven limits` (114 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InitializeConfigData<'a> {
    pub treasury: &'a [u8; 32],
    pub fee_bps: u16,
    pub limits: ConfigLimits,
}

impl InitializeConfigData<'_> {
    pub const LEN: usize = 32 + 2 + ConfigLimits::LEN;
}

/// The Borsh fields after the discriminator, in order (`crate::idl`: the IDL and the generated
/// client come from this list; the tests below encode their input from it).
pub const ARGS: &[Arg] = &[
    Arg::new("treasury", Ty::Address),
    Arg::new("fee_bps", Ty::U16),
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

impl<'a> TryFrom<&'a [u8]> for InitializeConfigData<'a> {
    type Error = ProgramError;

    fn try_from(data: &'a [u8]) -> Result<Self, Self::Error> {
        let mut reader = Reader::new(data);
        let parsed = Self {
            treasury: reader.array()?,
            fee_bps: validate_fee_bps(reader.read_u16()?)?,
            limits: ConfigLimits::read(&mut reader)?,
        };
        reader.finish()?;
        Ok(parsed)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::idl::tests::{encode_args, V};
    use std::vec::Vec;

    /// The eleven limits as named values (`max_prompt_bytes` and `max_response_bytes` are u32).
    pub(crate) fn limit_values(limits: [u64; 11]) -> [(&'static str, V<'static>); 11] {
        [
            ("max_prompt_bytes", V::U32(limits[0] as u32)),
            ("max_response_bytes", V::U32(limits[1] as u32)),
            ("default_response_timeout", V::U64(limits[2])),
            ("max_response_timeout", V::U64(limits[3])),
            ("open_request_slots", V::U64(limits[4])),
            ("close_grace_slots", V::U64(limits[5])),
            ("min_stake", V::U64(limits[6])),
            ("min_response_timeout", V::U64(limits[7])),
            ("min_bond", V::U64(limits[8])),
            ("abandon_penalty", V::U64(limits[9])),
            ("bond_cooldown_slots", V::U64(limits[10])),
        ]
    }

    pub(crate) fn encode(fee_bps: u16, limits: [u64; 11]) -> Vec<u8> {
        let mut values = std::vec![
            ("treasury", V::Fixed(&[9u8; 32])),
            ("fee_bps", V::U16(fee_bps)),
        ];
        values.extend(limit_values(limits));
        encode_args(ARGS, &values)
    }

    const OK: [u64; 11] = [
        4096, 65536, 750, 3000, 1500, 9000, 1000, 150, 1_000_000, 20_000, 750,
    ];

    fn err(e: ChainferenceError) -> Result<(), ProgramError> {
        Err(e.into())
    }

    #[test]
    fn parses_valid() {
        let bytes = encode(1000, OK);
        assert_eq!(bytes.len(), InitializeConfigData::LEN);
        let d = InitializeConfigData::try_from(bytes.as_slice()).unwrap();
        assert_eq!(d.fee_bps, 1000);
        assert_eq!(d.treasury, &[9u8; 32]);
        assert_eq!(d.limits.max_response_timeout, 3000);
        assert_eq!(d.limits.min_stake, 1000);
        assert_eq!(d.limits.min_response_timeout, 150);
        assert_eq!(d.limits.min_bond, 1_000_000);
        assert_eq!(d.limits.abandon_penalty, 20_000);
        assert_eq!(d.limits.bond_cooldown_slots, 750);
        // Zero grace, zero min stake and no bond are allowed.
        let zero_ok = encode(0, [1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0]);
        assert!(InitializeConfigData::try_from(zero_ok.as_slice()).is_ok());
    }

    #[test]
    fn rejects_bad_values() {
        let parse = |b: Vec<u8>| InitializeConfigData::try_from(b.as_slice()).map(|_| ());
        assert_eq!(parse(encode(2501, OK)), err(ChainferenceError::FeeTooHigh));
        assert!(parse(encode(2500, OK)).is_ok());
        for i in [0usize, 1, 2, 4, 7] {
            let mut l = OK;
            l[i] = 0;
            assert_eq!(
                parse(encode(1000, l)),
                err(ChainferenceError::InvalidConfigValue),
                "limit {i}"
            );
        }
        let mut l = OK;
        l[2] = 3001; // default > max
        assert_eq!(
            parse(encode(1000, l)),
            err(ChainferenceError::InvalidConfigValue)
        );
        let mut l = OK;
        l[7] = 751; // min > default
        assert_eq!(
            parse(encode(1000, l)),
            err(ChainferenceError::InvalidConfigValue)
        );
        l[7] = 750; // min = default
        assert!(parse(encode(1000, l)).is_ok());
        let mut l = OK;
        l[9] = 1_000_001; // penalty > min bond
        assert_eq!(
            parse(encode(1000, l)),
            err(ChainferenceError::InvalidConfigValue)
        );
        l[9] = 1_000_000; // penalty = min bond
        assert!(parse(encode(1000, l)).is_ok());
        let mut trailing = encode(1000, OK);
        trailing.push(0);
        assert_eq!(
            parse(trailing),
            err(ChainferenceError::InvalidInstructionData)
        );
        let mut short = encode(1000, OK);
        short.pop();
        assert_eq!(parse(short), err(ChainferenceError::InvalidInstructionData));
    }
}
