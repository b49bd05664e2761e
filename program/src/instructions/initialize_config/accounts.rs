use pinocchio::{error::ProgramError, AccountView, Address};

use crate::{
    checks::{
        check_address, check_system_program, check_writable, check_writable_signer, exact_accounts,
    },
    constants::FEE_VAULT_SHARDS,
    errors::ChainferenceError,
    idl::{InstructionAccount, RemainingAccounts},
    pda::find_pda,
    state::{Config, FeeVault},
};

/// The accounts, in order (`crate::idl`: the IDL, the generated client and the generated negative
/// tests come from this list).
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::writable("admin", "Pays rent, becomes `config.admin`.").signer(),
    InstructionAccount::writable("config", "PDA `[\"config\"]`, not initialized.")
        .pda(&Config::TYPE, &[]),
    InstructionAccount::system_program(),
];

/// Then every fee vault, in shard order.
pub const FEE_VAULTS: RemainingAccounts = RemainingAccounts {
    name: "fee_vaults",
    min: FEE_VAULT_SHARDS,
    max: FEE_VAULT_SHARDS,
    writable: true,
    docs: "Fee vault PDAs `[\"fee_vault\", [shard]]`, in shard order.",
};

pub struct InitializeConfigAccounts<'a> {
    pub admin: &'a mut AccountView,
    pub config: &'a mut AccountView,
    pub fee_vaults: &'a mut [AccountView],
    /// Canonical bump of the config PDA.
    pub config_bump: u8,
    /// Canonical bump of every fee vault PDA, by shard.
    pub vault_bumps: [u8; FEE_VAULT_SHARDS],
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for InitializeConfigAccounts<'a> {
    type Error = ProgramError;

    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        let [admin, config, system_program, fee_vaults @ ..] =
            exact_accounts::<{ ACCOUNTS.len() + FEE_VAULT_SHARDS }>(accounts)?;

        // 1. Signers (a writable signer's two flags in one check).
        check_writable_signer(admin)?;

        // 2. Writability.
        check_writable(config)?;
        for vault in fee_vaults.iter() {
            check_writable(vault)?;
        }

        // 3. Programs.
        check_system_program(system_program)?;

        // 4. Not initialized yet (a pre-funded, still system-owned address is fine).
        if !config.is_data_empty() || config.owned_by(program_id) {
            return Err(ChainferenceError::AlreadyInitialized.into());
        }

        // 5. PDAs, canonical bumps.
        let (expected, config_bump) = find_pda(Config::PREFIX, &[], program_id)?;
        check_address(config, &expected)?;
        let mut vault_bumps = [0u8; FEE_VAULT_SHARDS];
        for (shard, vault) in fee_vaults.iter().enumerate() {
            let (expected, bump) = find_pda(FeeVault::PREFIX, &[shard as u8], program_id)?;
            check_address(vault, &expected)?;
            vault_bumps[shard] = bump;
        }

        Ok(Self {
            admin,
            config,
            fee_vaults,
            config_bump,
            vault_bumps,
        })
    }
}
