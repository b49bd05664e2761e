use pinocchio::{AccountView, Address, ProgramResult};

use super::CloseResponseAccounts;
use crate::{
    checks::eq32,
    errors::ChainferenceError,
    lamports::close_account,
    lifecycle::current_slot,
    state::{Config, Response},
};

/// Completed responses only; the client any time, anyone else once
/// `now > completed_slot + close_grace_slots`. Every lamport to `response.operator`.
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = CloseResponseAccounts::try_from((program_id, accounts))?;
    if !data.is_empty() {
        return Err(ChainferenceError::InvalidInstructionData.into());
    }

    {
        // SAFETY: short-lived read-only view, dropped before the response closes.
        let response = Response::load(unsafe { accounts.response.borrow_unchecked() })?;
        if !response.is_completed() {
            return Err(ChainferenceError::ResponseNotCompleted.into());
        }
        if !eq32(response.client(), accounts.caller.address().as_array()) {
            // SAFETY: read-only view; the config is never written here.
            let grace =
                Config::load(unsafe { accounts.config.borrow_unchecked() })?.close_grace_slots();
            // Saturating: a grace of u64::MAX means "only the client, ever".
            if current_slot()? <= response.completed_slot().saturating_add(grace) {
                return Err(ChainferenceError::GracePeriodActive.into());
            }
        }
    }
    close_account(accounts.response, accounts.operator)
}
