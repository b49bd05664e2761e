//! FeeVault PDAs `["fee_vault", [shard]]`, 4 bytes. Lamports above the rent-exempt minimum are fees.

use pinocchio::error::ProgramError;

use super::AccountDiscriminator;
use crate::idl::{AccountType, Layout, Seed, Ty};
use crate::{fixed_size_account, layout_fields};

#[repr(C)]
pub struct FeeVault {
    discriminator: u8,
    version: u8,
    bump: u8,
    shard: u8,
}

super::transmutable!(FeeVault);
const _: () = FeeVault::TYPE
    .layout
    .check(core::mem::size_of::<FeeVault>());

impl FeeVault {
    pub const LEN: usize = 4;
    pub const DISCRIMINATOR: AccountDiscriminator = AccountDiscriminator::FeeVault;
    pub const PREFIX: &'static [u8] = b"fee_vault";

    /// Interface description (IDL, `docs/protocol.md`): see [`crate::idl`].
    pub const TYPE: AccountType = AccountType {
        discriminator: Self::DISCRIMINATOR as u8,
        seeds: &[
            Seed::Const(Self::PREFIX),
            Seed::Var {
                name: "shard",
                ty: Ty::U8,
                docs: "nonce % 16",
            },
        ],
        layout: Layout {
            name: "FeeVault",
            docs: "Fee vault shard (PDA `[\"fee_vault\", [shard]]`); lamports above the rent-exempt minimum are fees.",
            size: Self::LEN,
            fields: layout_fields![FeeVault;
                discriminator: Ty::Discriminator => "",
                version: Ty::Version => "",
                bump: Ty::U8 => "",
                shard: Ty::U8 => "",
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
    pub fn shard(&self) -> u8 {
        self.shard
    }

    #[inline(always)]
    pub fn set_shard(&mut self, shard: u8) {
        self.shard = shard;
    }
}
