use pinocchio::{AccountView, Address, ProgramResult};
use pinocchio_system::instructions::Transfer;

use super::{BondAmountData, DepositBondAccounts};
use crate::{math::add_u64, state::Server};

/// The operator's lamports move into the Server (System transfer) and `bond` grows by them.
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = DepositBondAccounts::try_from((program_id, accounts))?;
    let data = BondAmountData::try_from(data)?;
    {
        // SAFETY: the only reference to the server data in this instruction; dropped before the CPI.
        let server = Server::load_mut(unsafe { accounts.server.borrow_unchecked_mut() })?;
        server.set_bond(add_u64(server.bond(), data.amount)?);
    }
    Transfer {
        from: accounts.operator,
        to: accounts.server,
        lamports: data.amount,
    }
    .invoke()
}
