use pinocchio::{AccountView, Address, ProgramResult};
use pinocchio_system::instructions::Transfer;

use super::{TopUpSessionAccounts, TopUpSessionData};
use crate::{
    errors::ChainferenceError,
    math::add_u64,
    state::{Session, SessionStatus},
};

/// Open only (`SessionNotOpen`: a Closing session is being wound down), amount > 0 (`ZeroTopUp`):
/// the client's lamports move into the session (System transfer) and `deposit` grows by them.
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = TopUpSessionAccounts::try_from((program_id, accounts))?;
    let data = TopUpSessionData::try_from(data)?;
    if data.amount == 0 {
        return Err(ChainferenceError::ZeroTopUp.into());
    }
    {
        // SAFETY: the only reference to the session data in this instruction; dropped before the CPI.
        let session = Session::load_mut(unsafe { accounts.session.borrow_unchecked_mut() })?;
        if session.status()? != SessionStatus::Open {
            return Err(ChainferenceError::SessionNotOpen.into());
        }
        session.set_deposit(add_u64(session.deposit(), data.amount)?);
    }
    Transfer {
        from: accounts.client,
        to: accounts.session,
        lamports: data.amount,
    }
    .invoke()
}
