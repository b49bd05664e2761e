use pinocchio::{AccountView, Address, ProgramResult};

use super::ReclaimSessionAccounts;
use crate::{
    errors::ChainferenceError,
    lamports::close_account,
    lifecycle::current_slot,
    state::{Session, SessionStatus},
};

/// Closed (`SessionNotClosed`) and `now > open_slot + OPEN_SLOT_WINDOW` (`SessionTooRecent`):
/// the account is freed, every lamport to the client.
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = ReclaimSessionAccounts::try_from((program_id, accounts))?;
    if !data.is_empty() {
        return Err(ChainferenceError::InvalidInstructionData.into());
    }
    {
        // SAFETY: read-only view, dropped before the account closes.
        let session = Session::load(unsafe { accounts.session.borrow_unchecked() })?;
        if session.status()? != SessionStatus::Closed {
            return Err(ChainferenceError::SessionNotClosed.into());
        }
        if !session.may_free(current_slot()?) {
            return Err(ChainferenceError::SessionTooRecent.into());
        }
    }
    close_account(accounts.session, accounts.client)
}
