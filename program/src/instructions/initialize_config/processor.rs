use pinocchio::{cpi::Seed, AccountView, Address, ProgramResult};

use super::{InitializeConfigAccounts, InitializeConfigData};
use crate::{
    pda::create_pda_account,
    rent::rent_exempt_minimum,
    state::{Config, FeeVault},
};

/// Creates Config (admin = signer) and the 16 fee vaults, storing canonical bumps.
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = InitializeConfigAccounts::try_from((program_id, accounts))?;
    let data = InitializeConfigData::try_from(data)?;

    let bump = [accounts.config_bump];
    let seeds = [Seed::from(Config::PREFIX), Seed::from(&bump)];
    create_pda_account(
        accounts.admin,
        accounts.config,
        Config::LEN,
        rent_exempt_minimum(Config::LEN)?,
        program_id,
        &seeds,
    )?;
    // SAFETY: no other reference to the config data exists; it was just allocated by the CPI.
    let config = Config::init(unsafe { accounts.config.borrow_unchecked_mut() })?;
    config.set_bump(accounts.config_bump);
    config.set_paused(false);
    config.set_admin(accounts.admin.address().as_array());
    config.set_treasury(data.treasury);
    config.set_fee_bps(data.fee_bps);
    data.limits.write(config);

    let vault_rent = rent_exempt_minimum(FeeVault::LEN)?;
    for (shard, vault) in accounts.fee_vaults.iter_mut().enumerate() {
        let shard_seed = [shard as u8];
        let bump = [accounts.vault_bumps[shard]];
        let seeds = [
            Seed::from(FeeVault::PREFIX),
            Seed::from(&shard_seed),
            Seed::from(&bump),
        ];
        create_pda_account(
            accounts.admin,
            vault,
            FeeVault::LEN,
            vault_rent,
            program_id,
            &seeds,
        )?;
        // SAFETY: no other reference to this vault's data exists; it was just allocated by the CPI.
        let fee_vault = FeeVault::init(unsafe { vault.borrow_unchecked_mut() })?;
        fee_vault.set_bump(bump[0]);
        fee_vault.set_shard(shard_seed[0]);
    }
    Ok(())
}
