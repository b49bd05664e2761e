//! Config PDA `["config"]`, 150 bytes (`docs/protocol.md` § Config).

use pinocchio::error::ProgramError;

use super::AccountDiscriminator;
use crate::idl::{AccountType, Layout, Seed, Ty};
use crate::{accessors, fixed_size_account, layout_fields};

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
    min_response_timeout: [u8; 8],
    min_bond: [u8; 8],
    abandon_penalty: [u8; 8],
    bond_cooldown_slots: [u8; 8],
}

super::transmutable!(Config);
const _: () = Config::TYPE.layout.check(core::mem::size_of::<Config>());

impl Config {
    pub const LEN: usize = 150;
    pub const DISCRIMINATOR: AccountDiscriminator = AccountDiscriminator::Config;
    pub const PREFIX: &'static [u8] = b"config";

    /// Interface description (IDL, `docs/protocol.md`): see [`crate::idl`].
    pub const TYPE: AccountType = AccountType {
        discriminator: Self::DISCRIMINATOR as u8,
        seeds: &[Seed::Const(Self::PREFIX)],
        layout: Layout {
            name: "Config",
            docs: "Protocol configuration (PDA `[\"config\"]`).",
            size: Self::LEN,
            fields: layout_fields![Config;
                discriminator: Ty::Discriminator => "",
                version: Ty::Version => "",
                bump: Ty::U8 => "",
                paused: Ty::Flag => "",
                admin: Ty::Address => "",
                treasury: Ty::Address => "",
                fee_bps: Ty::U16 => "Protocol fee in basis points of the cost.",
                max_prompt_bytes: Ty::U32 => "",
                max_response_bytes: Ty::U32 => "",
                default_response_timeout: Ty::U64 => "Slots (default 750 ≈ 5 min).",
                max_response_timeout: Ty::U64 => "Slots.",
                open_request_slots: Ty::U64 => "Slots an Open request stays lockable.",
                close_grace_slots: Ty::U64 => "Slots after completion before anyone may close a response.",
                min_stake: Ty::U64 => "Lamports.",
                min_response_timeout: Ty::U64 => "Slots: the shortest response timeout a request may ask for.",
                min_bond: Ty::U64 => "Lamports: the bond a server must hold to lock a request.",
                abandon_penalty: Ty::U64 => "Lamports moved from the server's bond to the client when a locked request expires.",
                bond_cooldown_slots: Ty::U64 => "Slots after the server's last lock or settlement before its bond can be withdrawn.",
            ],
        },
    };

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
        u64: min_response_timeout, set_min_response_timeout;
        u64: min_bond, set_min_bond;
        u64: abandon_penalty, set_abandon_penalty;
        u64: bond_cooldown_slots, set_bond_cooldown_slots;
    }
}

/// Byte offsets of `docs/protocol.md` § Accounts, checked at compile time (a layout change that
/// moves a field fails the build, not only `cargo test`).
const _: () = {
    use core::mem::offset_of;
    assert!(offset_of!(Config, bump) == 2);
    assert!(offset_of!(Config, paused) == 3);
    assert!(offset_of!(Config, admin) == 4);
    assert!(offset_of!(Config, treasury) == 36);
    assert!(offset_of!(Config, fee_bps) == 68);
    assert!(offset_of!(Config, max_prompt_bytes) == 70);
    assert!(offset_of!(Config, max_response_bytes) == 74);
    assert!(offset_of!(Config, default_response_timeout) == 78);
    assert!(offset_of!(Config, max_response_timeout) == 86);
    assert!(offset_of!(Config, open_request_slots) == 94);
    assert!(offset_of!(Config, close_grace_slots) == 102);
    assert!(offset_of!(Config, min_stake) == 110);
    assert!(offset_of!(Config, min_response_timeout) == 118);
    assert!(offset_of!(Config, min_bond) == 126);
    assert!(offset_of!(Config, abandon_penalty) == 134);
    assert!(offset_of!(Config, bond_cooldown_slots) == 142);
};

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(Config::load(&data[..149]).is_err());
        let mut wrong = data;
        wrong[1] = 2;
        assert!(Config::load(&wrong).is_err());
        wrong = data;
        wrong[0] = 3;
        assert!(Config::load(&wrong).is_err());
    }
}
