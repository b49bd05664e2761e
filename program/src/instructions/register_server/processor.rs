use pinocchio::{
    cpi::Seed,
    sysvars::{clock::Clock, Sysvar},
    AccountView, Address, ProgramResult,
};

use super::{RegisterServerAccounts, RegisterServerData};
use crate::{pda::create_pda_account, rent::rent_exempt_minimum, state::Server};

/// Creates the Server account (active, key epoch 0, zeroed reputation) sized for its models.
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = RegisterServerAccounts::try_from((program_id, accounts))?;
    let data = RegisterServerData::try_from(data)?;

    let model_count = data.models.len();
    let space = Server::space(model_count);
    let bump = [data.bump];
    let seeds = [
        Seed::from(Server::PREFIX),
        Seed::from(accounts.operator.address().as_ref()),
        Seed::from(&bump),
    ];
    create_pda_account(
        accounts.operator,
        accounts.server,
        space,
        rent_exempt_minimum(space)?,
        program_id,
        &seeds,
    )?;

    let slot = Clock::get()?.slot;
    // SAFETY: the only reference to the server data; it was just allocated by the CPI.
    let (server, models) = Server::init(
        unsafe { accounts.server.borrow_unchecked_mut() },
        model_count,
    )?;
    server.set_bump(data.bump);
    server.set_active(true);
    server.set_operator(accounts.operator.address().as_array());
    server.set_x25519_key(data.x25519_key);
    server.init_endpoint(data.endpoint);
    server.set_registered_slot(slot);
    server.set_last_active_slot(slot);
    // The account was just created by the System program, so every model byte is zero.
    data.models.write_into(models)
}
