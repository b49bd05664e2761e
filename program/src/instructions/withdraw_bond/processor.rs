use pinocchio::{AccountView, Address, ProgramResult};

use super::{BondAmountData, WithdrawBondAccounts};
use crate::{
    errors::ChainferenceError,
    lamports::transfer_lamports,
    lifecycle::current_slot,
    math::{add_u64, sub_u64},
    state::{Config, Server},
};

/// No locks held (`BondLocked`: every lock could still be abandoned and slashed), the cooldown
/// since the server's last lock or settlement passed (`BondCooldown`), `amount ≤ bond`
/// (`BondAmountTooLarge`): `amount` moves from the server to the operator (direct lamport move).
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = WithdrawBondAccounts::try_from((program_id, accounts))?;
    let data = BondAmountData::try_from(data)?;
    {
        // SAFETY: read-only view; the config is not written in this instruction.
        let cooldown =
            Config::load(unsafe { accounts.config.borrow_unchecked() })?.bond_cooldown_slots();
        // SAFETY: the only reference to the server data; dropped before its lamports move.
        let server = Server::load_mut(unsafe { accounts.server.borrow_unchecked_mut() })?;
        if server.active_locks() != 0 {
            return Err(ChainferenceError::BondLocked.into());
        }
        if current_slot()? < add_u64(server.last_active_slot(), cooldown)? {
            return Err(ChainferenceError::BondCooldown.into());
        }
        let bond = server.bond();
        if data.amount > bond {
            return Err(ChainferenceError::BondAmountTooLarge.into());
        }
        server.set_bond(sub_u64(bond, data.amount)?);
    }
    transfer_lamports(accounts.server, accounts.operator, data.amount)
}
