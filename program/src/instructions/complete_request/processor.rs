use pinocchio::{AccountView, Address, ProgramResult};

use super::{CompleteRequestAccounts, CompleteRequestData};
use crate::{
    constants::MIN_COUNTED_FEE,
    errors::ChainferenceError,
    lamports::{close_account, transfer_lamports},
    lifecycle::{current_slot, settle, Usage},
    math::{add_u64, sub_u16, sub_u64},
    state::{Request, Response, Server},
};

/// Settles: `cost = min(stake, ⌈tin·pin/10^6⌉ + ⌈tout·pout/10^6⌉)`, `fee = ⌊cost·fee_bps/10^4⌋`;
/// operator +`cost − fee`, fee vault +`fee`, request closed to the client. Updates the server's
/// reputation counters (`completed` only when `fee ≥ MIN_COUNTED_FEE`; `paid_volume` by the cost) and the response's completion fields.
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = CompleteRequestAccounts::try_from((program_id, accounts))?;
    let data = CompleteRequestData::try_from(data)?;

    let settlement = {
        // SAFETY: server, request and response are distinct accounts (different discriminators,
        // checked in `accounts.rs`); these are the only references to their data, and they are
        // dropped before any lamports move or the request closes.
        let server = Server::load_mut(unsafe { accounts.server.borrow_unchecked_mut() })?;
        // SAFETY: as above.
        let request = Request::load(unsafe { accounts.request.borrow_unchecked() })?;
        // SAFETY: as above.
        let response = Response::load_mut(unsafe { accounts.response.borrow_unchecked_mut() })?;

        let now = current_slot()?;
        if now > request.deadline_slot() {
            return Err(ChainferenceError::RequestExpired.into());
        }
        if !response.is_final() {
            return Err(ChainferenceError::ResponseNotFinal.into());
        }
        if data.tokens_in > request.prompt_len() {
            return Err(ChainferenceError::TokensInAboveBound.into());
        }
        if data.tokens_out > response.plaintext_bytes() {
            return Err(ChainferenceError::TokensOutAboveBound.into());
        }

        let usage = Usage {
            tokens_in: data.tokens_in as u64,
            price_in: request.locked_price_in(),
            tokens_out: data.tokens_out as u64,
            price_out: request.locked_price_out(),
        };
        let settlement = settle(request.stake(), &usage, request.fee_bps())?;

        let lock_slot = request.lock_slot();

        server.set_tokens_out(add_u64(server.tokens_out(), data.tokens_out as u64)?);
        server.set_lamports_earned(add_u64(
            server.lamports_earned(),
            settlement.operator_share,
        )?);
        server.set_paid_volume(add_u64(server.paid_volume(), settlement.cost)?);
        // Counted completions only (the averages divide these sums by `completed`).
        if settlement.fee >= MIN_COUNTED_FEE {
            server.set_completed(add_u64(server.completed(), 1)?);
            server.set_sum_first_chunk_slots(add_u64(
                server.sum_first_chunk_slots(),
                sub_u64(response.first_chunk_slot(), lock_slot)?,
            )?);
            server.set_sum_complete_slots(add_u64(
                server.sum_complete_slots(),
                sub_u64(now, lock_slot)?,
            )?);
        }
        server.set_active_locks(sub_u16(server.active_locks(), 1)?);
        server.set_last_active_slot(now);

        response.set_completed(true);
        response.set_tokens_in(data.tokens_in);
        response.set_tokens_out(data.tokens_out);
        response.set_cost(settlement.cost);
        response.set_completed_slot(now);
        settlement
    };

    // The request holds rent + stake ≥ cost, so these debits cannot underflow (and are checked).
    transfer_lamports(
        accounts.request,
        accounts.operator,
        settlement.operator_share,
    )?;
    if settlement.fee != 0 {
        transfer_lamports(accounts.request, accounts.fee_vault, settlement.fee)?;
    }
    close_account(accounts.request, accounts.client)
}
