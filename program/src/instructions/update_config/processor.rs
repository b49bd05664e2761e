use pinocchio::{AccountView, Address, ProgramResult};

use super::{UpdateConfigAccounts, UpdateConfigData};

/// Replaces every mutable Config field.
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = UpdateConfigAccounts::try_from((program_id, accounts))?;
    let data = UpdateConfigData::try_from(data)?;

    let config = accounts.config;
    config.set_admin(data.new_admin);
    config.set_treasury(data.treasury);
    config.set_fee_bps(data.fee_bps);
    config.set_paused(data.paused);
    data.limits.write(config);
    Ok(())
}
