//! Config PDA `["config"]`, 118 bytes (`docs/protocol.md` § Config).

use pinocchio::error::ProgramError;

use super::AccountDiscriminator;
use crate::accessors;
use crate::fixed_size_account;

#[repr(C)]
pub struct Config {
    discriminator: u8,
    version: u8,
    bump: u8,
    paused: u8,
    admin: [u8; 32],
    treasury: [u8; 32],
    fee_bps: [u8; 2],
    max_prompt_bytes: [u8; 4],
    max_response_bytes: [u8; 4],
    default_response_timeout: [u8; 8],
    max_response_timeout: [u8; 8],
    open_request_slots: [u8; 8],
    close_grace_slots: [u8; 8],
    min_stake: [u8; 8],
}

const _: () = assert!(core::mem::size_of::<Config>() == Config::LEN);
const _: () = assert!(core::mem::align_of::<Config>() == 1);

impl Config {
    pub const LEN: usize = 118;
    pub const DISCRIMINATOR: AccountDiscriminator = AccountDiscriminator::Config;
    pub const PREFIX: &'static [u8] = b"config";

    fixed_size_account!();

    #[inline(always)]
    pub fn bump(&self) -> u8 {
        self.bump
    }

    #[inline(always)]
    pub fn set_bump(&mut self, bump: u8) {
        self.bump = bump;
    }

    #[inline(always)]
    pub fn is_paused(&self) -> bool {
        self.paused != 0
    }

    #[inline(always)]
    pub fn set_paused(&mut self, paused: bool) {
        self.paused = paused as u8;
    }

    #[inline(always)]
    pub fn admin(&self) -> &[u8; 32] {
        &self.admin
    }

    #[inline(always)]
    pub fn set_admin(&mut self, admin: &[u8; 32]) {
        self.admin = *admin;
    }

    #[inline(always)]
    pub fn treasury(&self) -> &[u8; 32] {
        &self.treasury
    }

    #[inline(always)]
    pub fn set_treasury(&mut self, treasury: &[u8; 32]) {
        self.treasury = *treasury;
    }

    accessors! {
        u16: fee_bps, set_fee_bps;
        u32: max_prompt_bytes, set_max_prompt_bytes;
        u32: max_response_bytes, set_max_response_bytes;
        u64: default_response_timeout, set_default_response_timeout;
        u64: max_response_timeout, set_max_response_timeout;
        u64: open_request_slots, set_open_request_slots;
        u64: close_grace_slots, set_close_grace_slots;
        u64: min_stake, set_min_stake;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::offset_of;

    #[test]
    fn offsets_match_protocol() {
        assert_eq!(offset_of!(Config, bump), 2);
        assert_eq!(offset_of!(Config, paused), 3);
        assert_eq!(offset_of!(Config, admin), 4);
        assert_eq!(offset_of!(Config, treasury), 36);
        assert_eq!(offset_of!(Config, fee_bps), 68);
        assert_eq!(offset_of!(Config, max_prompt_bytes), 70);
        assert_eq!(offset_of!(Config, max_response_bytes), 74);
        assert_eq!(offset_of!(Config, default_response_timeout), 78);
        assert_eq!(offset_of!(Config, max_response_timeout), 86);
        assert_eq!(offset_of!(Config, open_request_slots), 94);
        assert_eq!(offset_of!(Config, close_grace_slots), 102);
        assert_eq!(offset_of!(Config, min_stake), 110);
    }

    #[test]
    fn load_checks_length_discriminator_version() {
        let mut data = [0u8; Config::LEN];
        assert!(Config::load(&data).is_err());
        let c = Config::init(&mut data).unwrap();
        c.set_fee_bps(1000);
        c.set_min_stake(u64::MAX);
        assert_eq!(
            Config::init(&mut data).err(),
            Some(crate::ChainferenceError::AlreadyInitialized.into())
        );
        let c = Config::load(&data).unwrap();
        assert_eq!(c.fee_bps(), 1000);
        assert_eq!(c.min_stake(), u64::MAX);
        assert_eq!(&data[68..70], &1000u16.to_le_bytes());
        assert!(Config::load(&data[..117]).is_err());
        let mut wrong = data;
        wrong[1] = 2;
        assert!(Config::load(&wrong).is_err());
        wrong = data;
        wrong[0] = 3;
        assert!(Config::load(&wrong).is_err());
    }
}
