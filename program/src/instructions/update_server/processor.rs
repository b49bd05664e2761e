use pinocchio::{AccountView, Address, ProgramResult};
use pinocchio_system::instructions::Transfer;

use super::{UpdateServerAccounts, UpdateServerData};
use crate::{
    checks::eq32,
    lamports::transfer_lamports,
    math::{add_u32, add_u64, sub_u64},
    mem,
    rent::rent_exempt_minimum,
    resize::resize_account,
    state::{server::ModelEntry, Server},
};

/// Rewrites key (epoch + 1 when it changes), endpoint, active flag and models. Afterwards the
/// server holds exactly the rent-exempt minimum for its new size plus its bond: a shortfall is paid by the
/// operator (System transfer), any surplus goes back to the operator (direct lamport move).
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = UpdateServerAccounts::try_from((program_id, accounts))?;
    let data = UpdateServerData::try_from(data)?;
    let server = accounts.server;
    let operator = accounts.operator;

    let model_count = data.models.len();
    let space = Server::space(model_count);
    // The account keeps its bond on top of the rent-exempt minimum.
    // SAFETY: short-lived read-only view, dropped before the CPI and the resize.
    let bond = Server::load(unsafe { server.borrow_unchecked() })?.bond();
    let rent = add_u64(rent_exempt_minimum(space)?, bond)?;
    let current = server.lamports();
    if current < rent {
        Transfer {
            from: operator,
            to: server,
            lamports: sub_u64(rent, current)?,
        }
        .invoke()?;
    }
    resize_account::<true>(server, space)?;
    if current > rent {
        transfer_lamports(server, operator, sub_u64(current, rent)?)?;
    }

    // SAFETY: the only reference to the server data; no CPI or resize follows.
    let (state, models) =
        Server::load_resized_mut(unsafe { server.borrow_unchecked_mut() }, model_count)?;
    if !eq32(state.x25519_key(), data.x25519_key) {
        state.set_key_epoch(add_u32(state.key_epoch(), 1)?);
        state.set_x25519_key(data.x25519_key);
    }
    state.set_endpoint(data.endpoint);
    state.set_active(data.active);
    // One memset over all entries (they still hold the old models), then a single
    // read-validate-write pass that only writes the used bytes.
    // SAFETY: `ModelEntry` is `LEN` plain bytes (alignment 1, no padding).
    mem::zero(unsafe {
        core::slice::from_raw_parts_mut(
            models.as_mut_ptr() as *mut u8,
            models.len().wrapping_mul(ModelEntry::LEN),
        )
    });
    data.models.write_into(models)
}
