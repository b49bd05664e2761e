use pinocchio::{AccountView, Address, ProgramResult};

use super::RequestCloseSessionAccounts;
use crate::{
    errors::ChainferenceError,
    lifecycle::current_slot,
    state::{Session, SessionStatus},
};

/// Open → Closing with `close_requested_slot = now`: from now the settle deadline is
/// `min(expiry_slot, now + grace_slots)`. Anything else is `SessionNotOpen`.
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = RequestCloseSessionAccounts::try_from((program_id, accounts))?;
    if !data.is_empty() {
        return Err(ChainferenceError::InvalidInstructionData.into());
    }
    // SAFETY: the only reference to the session data in this instruction.
    let session = Session::load_mut(unsafe { accounts.session.borrow_unchecked_mut() })?;
    if session.status()? != SessionStatus::Open {
        return Err(ChainferenceError::SessionNotOpen.into());
    }
    session.set_status(SessionStatus::Closing);
    session.set_close_requested_slot(current_slot()?);
    Ok(())
}
