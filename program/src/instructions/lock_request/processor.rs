use pinocchio::{AccountView, Address, ProgramResult};

use super::{LockRequestAccounts, LockRequestData};
use crate::{
    checks::eq32,
    errors::ChainferenceError,
    lifecycle::{check_takeable, select_offer, token_cost},
    math::{add_u16, add_u64, mul_u64},
    state::{request::RequestStatus, Config, Request, Server},
};

/// Requires the server's bond to be ≥ `min_bond` and ≥ `abandon_penalty × (active_locks + 1)`.
/// Re-checks every filter on-chain ([`select_offer`], shared with `open_session`) and locks the
/// request to this server at the price of the first matching model entry (in the server's order)
/// whose prices are within the client's maxima. The key in the data must be the server's current
/// key (the one snapshotted as `locked_key`), so the transaction alone names it.
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = LockRequestAccounts::try_from((program_id, accounts))?;
    let data = LockRequestData::try_from(data)?;

    // SAFETY: read-only view; the config is not written in this instruction.
    let config = Config::load(unsafe { accounts.config.borrow_unchecked() })?;
    if config.is_paused() {
        return Err(ChainferenceError::ProtocolPaused.into());
    }

    let server_key = *accounts.server.address().as_array();
    // SAFETY: server and request are distinct accounts (different discriminators, checked in
    // `accounts.rs`); these are the only references to their data in this instruction.
    let (server, models) =
        Server::load_with_models_mut(unsafe { accounts.server.borrow_unchecked_mut() })?;
    // SAFETY: as above.
    let request = Request::load_full_mut(unsafe { accounts.request.borrow_unchecked_mut() })?;
    let header = request.header;

    let now = check_takeable(header)?;
    if !server.is_active() {
        return Err(ChainferenceError::ServerInactive.into());
    }
    if !eq32(data.x25519_key, server.x25519_key()) {
        return Err(ChainferenceError::LockKeyMismatch.into());
    }
    if !request.allowed.is_empty() {
        let Some(entry) = request
            .allowed
            .iter()
            .find(|a| eq32(a.server(), &server_key))
        else {
            return Err(ChainferenceError::ServerNotAllowed.into());
        };
        // The client wrapped the data key for this epoch: any other than the server's current
        // one is a key the server may no longer (or never) hold, so the lock would end expired.
        if entry.key_epoch() != server.key_epoch() {
            return Err(ChainferenceError::KeyEpochMismatch.into());
        }
    }

    // The bond: at least the minimum, and enough to pay the abandon penalty of every lock the
    // server would then hold (so many locks in one transaction cannot outrun it).
    let bond = server.bond();
    if bond < config.min_bond() {
        return Err(ChainferenceError::BondBelowMinimum.into());
    }
    let locks = add_u16(server.active_locks(), 1)?;
    if bond < mul_u64(config.abandon_penalty(), locks as u64)? {
        return Err(ChainferenceError::BondBelowLockCover.into());
    }

    let model = select_offer(server, models, &header.filters())?;
    let (price_in, price_out) = (model.price_in(), model.price_out());
    if token_cost(header.prompt_len() as u64, price_in)? > header.stake() {
        return Err(ChainferenceError::StakeBelowPromptCost.into());
    }

    header.set_status(RequestStatus::Locked);
    header.set_locked_by(&server_key);
    header.set_locked_key(server.x25519_key());
    header.set_locked_key_epoch(server.key_epoch());
    header.set_locked_price_in(price_in);
    header.set_locked_price_out(price_out);
    header.set_lock_slot(now);
    header.set_deadline_slot(add_u64(now, header.response_timeout())?);
    server.set_active_locks(locks);
    server.set_last_active_slot(now);
    Ok(())
}
