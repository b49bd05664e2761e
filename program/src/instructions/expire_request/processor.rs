use pinocchio::{AccountView, Address, ProgramResult};

use super::ExpireRequestAccounts;
use crate::{
    errors::ChainferenceError,
    lamports::{close_account, transfer_lamports},
    lifecycle::current_slot,
    math::{add_u64, sub_u16, sub_u64},
    state::{Config, Request, Server},
};

/// Open past `open_until`, or Locked past the deadline: full refund to the client. Locked also
/// counts an expiry (and the stake as expired volume) against the server, frees its lock, moves
/// `min(abandon_penalty, bond)` from the server's bond to the client, and closes the partial
/// response to the operator who funded it.
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

    if let Some(server_account) = accounts.server {
        let penalty = {
            // SAFETY: read-only view; the config is not written in this instruction.
            let config = Config::load(unsafe { accounts.config.borrow_unchecked() })?;
            // SAFETY: short-lived read-only view of the request, dropped before it closes.
            let stake = Request::load(unsafe { accounts.request.borrow_unchecked() })?.stake();
            // SAFETY: the only reference to the server data in this instruction; dropped before
            // its lamports move.
            let server = Server::load_mut(unsafe { server_account.borrow_unchecked_mut() })?;
            server.set_expired(add_u64(server.expired(), 1)?);
            server.set_expired_volume(add_u64(server.expired_volume(), stake)?);
            server.set_active_locks(sub_u16(server.active_locks(), 1)?);
            // lock_request made the bond cover every lock; the minimum guards a penalty raised since.
            let bond = server.bond();
            let penalty = config.abandon_penalty().min(bond);
            server.set_bond(sub_u64(bond, penalty)?);
            penalty
        };
        if penalty != 0 {
            transfer_lamports(server_account, accounts.client, penalty)?;
        }
    }
    if let Some((response, operator)) = accounts.response {
        close_account(response, operator)?;
    }
    close_account(accounts.request, accounts.client)
}
