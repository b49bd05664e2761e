use pinocchio::{AccountView, Address, ProgramResult};

use super::{accounts::Closer, CloseSessionAccounts};
use crate::{
    errors::ChainferenceError,
    lamports::{close_account, transfer_lamports},
    lifecycle::current_slot,
    math::sub_u64,
    state::{Session, SessionStatus},
};

/// Refunds `deposit − settled` to the client. Frees the account (every lamport to the client)
/// when `now > open_slot + OPEN_SLOT_WINDOW`; otherwise leaves a Closed tombstone holding its rent
/// (freed later by `reclaim_session`), so the address cannot host a second session.
/// The client may close only when `now ≥ settle_deadline` (`CloseNotAllowedYet`).
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = CloseSessionAccounts::try_from((program_id, accounts))?;
    if !data.is_empty() {
        return Err(ChainferenceError::InvalidInstructionData.into());
    }
    let now = current_slot()?;
    let refund = {
        // SAFETY: the only reference to the session data; dropped before lamports move or it closes.
        let session = Session::load_mut(unsafe { accounts.session.borrow_unchecked_mut() })?;
        if session.status()? == SessionStatus::Closed {
            return Err(ChainferenceError::SessionClosed.into());
        }
        if accounts.closer == Closer::Client && now < session.settle_deadline() {
            return Err(ChainferenceError::CloseNotAllowedYet.into());
        }
        if session.may_free(now) {
            None
        } else {
            session.set_status(SessionStatus::Closed);
            Some(sub_u64(session.deposit(), session.settled())?)
        }
    };
    match refund {
        None => close_account(accounts.session, accounts.client),
        Some(refund) => transfer_lamports(accounts.session, accounts.client, refund),
    }
}
