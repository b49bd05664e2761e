use pinocchio::{error::ProgramError, AccountView, Address};

use crate::{
    checks::{check_address, check_signer, check_system_program, check_writable, find_pda},
    constants::FEE_VAULT_SHARDS,
    errors::ChainferenceError,
    state::{Config, FeeVault},
};

/// | # | account | flags | |
/// | --- | --- | --- | --- |
/// | 0 | admin | w, s | pays rent, becomes `config.admin` |
/// | 1 | config | w | PDA `["config"]`, not initialized |
/// | 2 | system_program | | |
/// | 3..=18 | fee_vaults | w | PDAs `["fee_vault", [shard]]`, shards 0..16 in order |
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
        let [admin, config, system_program, rest @ ..] = accounts else {
            return Err(ChainferenceError::NotEnoughAccounts.into());
        };
        let Some(fee_vaults) = rest.get_mut(..FEE_VAULT_SHARDS) else {
            return Err(ChainferenceError::NotEnoughAccounts.into());
        };

        // 1. Signers.
        check_signer(admin)?;

        // 2. Writability.
        check_writable(admin)?;
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
