//! FeeVault PDAs `["fee_vault", [shard]]`, 4 bytes. Lamports above the rent-exempt minimum are fees.

use pinocchio::error::ProgramError;

use super::{
    cast, cast_mut, check_header, invalid_account_data, write_header, AccountDiscriminator,
};

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

    #[inline(always)]
    pub fn load(data: &[u8]) -> Result<&Self, ProgramError> {
        if data.len() != Self::LEN {
            return Err(invalid_account_data());
        }
        check_header(data, Self::DISCRIMINATOR)?;
        // SAFETY: exact length checked; alignment 1, byte fields only.
        Ok(unsafe { cast(data) })
    }

    #[inline(always)]
    pub fn load_mut(data: &mut [u8]) -> Result<&mut Self, ProgramError> {
        if data.len() != Self::LEN {
            return Err(invalid_account_data());
        }
        check_header(data, Self::DISCRIMINATOR)?;
        // SAFETY: exact length checked; alignment 1, byte fields only.
        Ok(unsafe { cast_mut(data) })
    }

    /// Fresh (zeroed) account of exactly `LEN` bytes: writes the header.
    #[inline(always)]
    pub fn init(data: &mut [u8]) -> Result<&mut Self, ProgramError> {
        if data.len() != Self::LEN {
            return Err(invalid_account_data());
        }
        write_header(data, Self::DISCRIMINATOR)?;
        // SAFETY: exact length checked; alignment 1, byte fields only.
        Ok(unsafe { cast_mut(data) })
    }

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
