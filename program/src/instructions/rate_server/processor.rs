use pinocchio::{AccountView, Address, ProgramResult};

use super::{RateServerAccounts, RateServerData};
use crate::{
    constants::MAX_RATING,
    errors::ChainferenceError,
    math::{add_u64, mul_u64},
    state::{Response, Server},
};

/// Records one 1..=5 rating per completed response, weighted by its cost: `rating_sum +=
/// rating × cost`, `rating_count += cost` (the average is unchanged in form).
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = RateServerAccounts::try_from((program_id, accounts))?;
    let data = RateServerData::try_from(data)?;

    // SAFETY: response and server are distinct accounts (different discriminators, checked in
    // `accounts.rs`); these are the only references to their data in this instruction.
    let response = Response::load_mut(unsafe { accounts.response.borrow_unchecked_mut() })?;
    if !response.is_completed() {
        return Err(ChainferenceError::ResponseNotCompleted.into());
    }
    if response.is_rated() {
        return Err(ChainferenceError::AlreadyRated.into());
    }
    if data.rating == 0 || data.rating > MAX_RATING {
        return Err(ChainferenceError::InvalidRating.into());
    }
    // SAFETY: see above.
    let server = Server::load_mut(unsafe { accounts.server.borrow_unchecked_mut() })?;
    // Weighted by the lamports the client paid: a zero-cost response's rating counts for nothing.
    let cost = response.cost();
    server.set_rating_sum(add_u64(
        server.rating_sum(),
        mul_u64(cost, data.rating as u64)?,
    )?);
    server.set_rating_count(add_u64(server.rating_count(), cost)?);
    response.set_rated(true);
    Ok(())
}
