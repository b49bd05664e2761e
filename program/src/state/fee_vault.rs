//! FeeVault PDAs `["fee_vault", [shard]]`, 4 bytes. Lamports above the rent-exempt minimum are fees.

use pinocchio::error::ProgramError;

use super::AccountDiscriminator;
use crate::fixed_size_account;

#[repr(C)]
pub struct FeeVault {
    discriminator: u8,
    version: u8,
    bump: u8,
    shard: u8,
}

const _: () = assert!(core::mem::size_of::<FeeVault>() == FeeVault::LEN);

impl FeeVault {
    pub const LEN: usize = 4;
    pub const DISCRIMINATOR: AccountDiscriminator = AccountDiscriminator::FeeVault;
    pub const PREFIX: &'static [u8] = b"fee_vault";

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
    pub fn shard(&self) -> u8 {
        self.shard
    }

    #[inline(always)]
    pub fn set_shard(&mut self, shard: u8) {
        self.shard = shard;
    }
}
