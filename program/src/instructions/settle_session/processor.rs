use pinocchio::{AccountView, Address, ProgramResult};

use super::SettleSessionAccounts;
use crate::{
    checks::eq32,
    constants::BPS_DENOMINATOR,
    errors::ChainferenceError,
    lamports::transfer_lamports,
    lifecycle::current_slot,
    math::{add_u64, mul_div_floor, sub_u64},
    state::{Server, Session, SessionStatus},
    voucher::verified_voucher,
};

/// Verifies the voucher (`docs/sessions.md` § 2) and pays `delta = cumulative − settled`:
/// `fee = ⌊delta · fee_bps / 10^4⌋` to the fee vault shard, `delta − fee` to the operator.
/// `settled`, `settled_tokens` and `settled_answers` take the voucher's values; the Server's
/// `lamports_earned` grows by `delta − fee`, `paid_volume` by `delta`, `tokens_out` by the token
/// delta.
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = SettleSessionAccounts::try_from((program_id, accounts))?;
    if !data.is_empty() {
        return Err(ChainferenceError::InvalidInstructionData.into());
    }

    let session_address = *accounts.session.address().as_array();
    let (operator_share, fee) = {
        // SAFETY: session and server are distinct accounts (different discriminators, checked in
        // `accounts.rs`); these are the only references to their data, dropped before lamports move.
        let session = Session::load_mut(unsafe { accounts.session.borrow_unchecked_mut() })?;
        if session.status()? == SessionStatus::Closed {
            return Err(ChainferenceError::SessionClosed.into());
        }
        let now = current_slot()?;
        if now >= session.settle_deadline() {
            return Err(ChainferenceError::SettleWindowClosed.into());
        }

        // SAFETY: the sysvar is only read; no other reference to its data exists.
        let voucher = verified_voucher(unsafe { accounts.instructions_sysvar.borrow_unchecked() })?;
        if !eq32(voucher.session, &session_address) {
            return Err(ChainferenceError::VoucherSessionMismatch.into());
        }
        if !eq32(voucher.signer, session.voucher_signer()) {
            return Err(ChainferenceError::VoucherSignerMismatch.into());
        }
        let settled = session.settled();
        if voucher.cumulative_lamports <= settled {
            return Err(ChainferenceError::VoucherNotIncreasing.into());
        }
        if voucher.cumulative_lamports > session.deposit() {
            return Err(ChainferenceError::VoucherAboveDeposit.into());
        }
        if voucher.cumulative_tokens < session.settled_tokens()
            || voucher.cumulative_answers < session.settled_answers()
        {
            return Err(ChainferenceError::VoucherUsageDecreased.into());
        }

        // `cumulative > settled` and both ≤ deposit: no underflow (checked anyway).
        let delta = sub_u64(voucher.cumulative_lamports, settled)?;
        let fee = mul_div_floor(delta, session.fee_bps() as u64, BPS_DENOMINATOR)?;
        let operator_share = sub_u64(delta, fee)?;
        let token_delta = sub_u64(voucher.cumulative_tokens, session.settled_tokens())?;
        session.set_settled(voucher.cumulative_lamports);
        session.set_settled_tokens(voucher.cumulative_tokens);
        session.set_settled_answers(voucher.cumulative_answers);

        // SAFETY: see above.
        let server = Server::load_mut(unsafe { accounts.server.borrow_unchecked_mut() })?;
        server.set_lamports_earned(add_u64(server.lamports_earned(), operator_share)?);
        server.set_paid_volume(add_u64(server.paid_volume(), delta)?);
        server.set_tokens_out(add_u64(server.tokens_out(), token_delta)?);
        server.set_last_active_slot(now);
        (operator_share, fee)
    };

    // The session holds rent + deposit − settled ≥ delta (the voucher is ≤ deposit).
    transfer_lamports(accounts.session, accounts.operator, operator_share)?;
    if fee != 0 {
        transfer_lamports(accounts.session, accounts.fee_vault, fee)?;
    }
    Ok(())
}
