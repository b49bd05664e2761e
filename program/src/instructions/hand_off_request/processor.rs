use pinocchio::{AccountView, Address, ProgramResult};

use super::{HandOffRequestAccounts, HandOffRequestData};
use crate::{
    checks::eq32,
    errors::ChainferenceError,
    lifecycle::check_takeable,
    state::{AllowedServer, Request, Server},
};

/// Overwrites allow-list entry `replace_index` with `entry` in place: the account keeps its size
/// and the prompt its offset, and the replaced server's wrap is gone, so it can no longer lock.
/// The new entry must name the `server` account, be wrapped for its current key epoch, and that
/// server must be active and not on the list yet.
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = HandOffRequestAccounts::try_from((program_id, accounts))?;
    let data = HandOffRequestData::try_from(data)?;

    let server_key = accounts.server.address().as_array();
    // SAFETY: read-only view; the server is not written in this instruction.
    let server = Server::load(unsafe { accounts.server.borrow_unchecked() })?;
    // SAFETY: the only reference to the request data in this instruction (distinct from the
    // server: different discriminators, checked in `accounts.rs`).
    let request = Request::load_full_mut(unsafe { accounts.request.borrow_unchecked_mut() })?;

    check_takeable(request.header)?;
    // An open-to-all request carries no wrap: there is no entry to hand off.
    if request.allowed.is_empty() {
        return Err(ChainferenceError::NothingToHandOff.into());
    }
    let index = data.replace_index as usize;
    if index >= request.allowed.len() {
        return Err(ChainferenceError::AllowedIndexOutOfRange.into());
    }
    let entry = AllowedServer::from_raw(data.entry);
    if !eq32(entry.server(), server_key) {
        return Err(ChainferenceError::HandOffServerMismatch.into());
    }
    if !server.is_active() {
        return Err(ChainferenceError::ServerInactive.into());
    }
    if entry.key_epoch() != server.key_epoch() {
        return Err(ChainferenceError::KeyEpochMismatch.into());
    }
    if request.allowed.iter().any(|a| eq32(a.server(), server_key)) {
        return Err(ChainferenceError::DuplicateAllowedServer.into());
    }

    AllowedServer::slice_as_bytes_mut(&mut request.allowed[index..=index])
        .copy_from_slice(data.entry);
    Ok(())
}
