use pinocchio::{AccountView, Address, ProgramResult};

use super::CancelRequestAccounts;
use crate::{errors::ChainferenceError, lamports::close_account, state::Request};

/// Open only: closes the request, every lamport to the client.
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = CancelRequestAccounts::try_from((program_id, accounts))?;
    if !data.is_empty() {
        return Err(ChainferenceError::InvalidInstructionData.into());
    }

    // SAFETY: read-only view, dropped before the account closes.
    let open = Request::load(unsafe { accounts.request.borrow_unchecked() })?.is_open();
    if !open {
        return Err(ChainferenceError::RequestNotOpen.into());
    }
    close_account(accounts.request, accounts.client)
}
