use pinocchio::{AccountView, Address, ProgramResult};

use super::ExpireRequestAccounts;
use crate::{
    errors::ChainferenceError,
    lamports::close_account,
    lifecycle::current_slot,
    math::{add_u64, sub_u16},
    state::{Request, Server},
};

/// Open past `open_until`, or Locked past the deadline: full refund to the client. Locked also
/// counts an expiry against the server, frees its lock, and closes the partial response to the
/// operator who funded it.
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = ExpireRequestAccounts::try_from((program_id, accounts))?;
    if !data.is_empty() {
        return Err(ChainferenceError::InvalidInstructionData.into());
    }

    let limit = {
        // SAFETY: short-lived read-only view, dropped before the request closes.
        let request = Request::load(unsafe { accounts.request.borrow_unchecked() })?;
        if accounts.server.is_some() {
            request.deadline_slot()
        } else {
            request.open_until_slot()
        }
    };
    if current_slot()? <= limit {
        return Err(ChainferenceError::DeadlineNotReached.into());
    }

    if let Some(server) = accounts.server {
        // SAFETY: the only reference to the server data in this instruction.
        let server = Server::load_mut(unsafe { server.borrow_unchecked_mut() })?;
        server.set_expired(add_u64(server.expired(), 1)?);
        server.set_active_locks(sub_u16(server.active_locks(), 1)?);
    }
    if let Some((response, operator)) = accounts.response {
        close_account(response, operator)?;
    }
    close_account(accounts.request, accounts.client)
}
