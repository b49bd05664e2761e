use pinocchio::{AccountView, Address, ProgramResult};

use super::LockRequestAccounts;
use crate::{
    checks::eq32,
    errors::ChainferenceError,
    lifecycle::{avg_rating_x100, current_slot, ids_eq, success_rate_bps, token_cost},
    math::{add_u16, add_u64},
    state::{request::RequestStatus, Config, ModelEntry, Request, Server},
};

/// Re-checks every filter on-chain and locks the request to this server at the price of the
/// first matching model entry (in the server's order) whose prices are within the client's
/// maxima.
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = LockRequestAccounts::try_from((program_id, accounts))?;
    if !data.is_empty() {
        return Err(ChainferenceError::InvalidInstructionData.into());
    }

    // SAFETY: read-only view; the config is not written in this instruction.
    if Config::load(unsafe { accounts.config.borrow_unchecked() })?.is_paused() {
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

    if !header.is_open() {
        return Err(ChainferenceError::RequestNotOpen.into());
    }
    if !header.is_sealed() {
        return Err(ChainferenceError::PromptNotSealed.into());
    }
    let now = current_slot()?;
    if now > header.open_until_slot() {
        return Err(ChainferenceError::RequestExpired.into());
    }
    if !server.is_active() {
        return Err(ChainferenceError::ServerInactive.into());
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

    let model = find_model(header, models)?;
    let (price_in, price_out) = (model.price_in(), model.price_out());

    let completed = server.completed();
    if completed < header.min_completed() {
        return Err(ChainferenceError::NotEnoughCompleted.into());
    }
    if success_rate_bps(completed, server.expired())? < header.min_success_bps() as u64 {
        return Err(ChainferenceError::SuccessRateTooLow.into());
    }
    if avg_rating_x100(server.rating_sum(), server.rating_count())? < header.min_avg_rating() as u64
    {
        return Err(ChainferenceError::RatingTooLow.into());
    }
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
    server.set_active_locks(add_u16(server.active_locks(), 1)?);
    server.set_last_active_slot(now);
    Ok(())
}

/// The first entry with the request's model id (and its revision, when the request pins one)
/// whose prices are within the client's maxima. `ModelNotOffered` when no entry has the model,
/// `PriceAboveMax` when entries have it but all are too expensive.
#[inline(always)]
fn find_model<'m>(
    request: &Request,
    models: &'m [ModelEntry],
) -> Result<&'m ModelEntry, ChainferenceError> {
    let (model, revision) = (request.model(), request.revision());
    let (max_in, max_out) = (request.max_price_in(), request.max_price_out());
    let mut offered = false;
    for entry in models {
        if !ids_eq(entry.hf_id(), model)
            || (!revision.is_empty() && !ids_eq(entry.revision(), revision))
        {
            continue;
        }
        if entry.price_in() <= max_in && entry.price_out() <= max_out {
            return Ok(entry);
        }
        offered = true;
    }
    Err(if offered {
        ChainferenceError::PriceAboveMax
    } else {
        ChainferenceError::ModelNotOffered
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instructions::model_input::ModelInput;
    use std::vec;

    fn server(models: &[(&str, &str, &str, u64, u64)]) -> std::vec::Vec<u8> {
        let mut data = vec![0u8; Server::space(models.len())];
        let (_, entries) = Server::init(&mut data, models.len()).unwrap();
        for (entry, &(hf_id, revision, quantization, price_in, price_out)) in
            entries.iter_mut().zip(models)
        {
            entry.write(&ModelInput {
                hf_id: hf_id.as_bytes(),
                revision: revision.as_bytes(),
                quantization: quantization.as_bytes(),
                price_in,
                price_out,
                max_context: 4096,
            });
        }
        data
    }

    fn request(model: &str, revision: &str, max_in: u64, max_out: u64) -> std::vec::Vec<u8> {
        let mut data = vec![0u8; Request::space(0, 0)];
        let r = Request::init(&mut data, 0, 0).unwrap();
        r.header.set_model(model.as_bytes());
        r.header.set_revision(revision.as_bytes());
        r.header.set_max_price_in(max_in);
        r.header.set_max_price_out(max_out);
        data
    }

    fn pick(server_data: &[u8], request_data: &[u8]) -> Result<(u64, u64), ChainferenceError> {
        let (_, models) = Server::load_with_models(server_data).unwrap();
        let request = Request::load(request_data).unwrap();
        find_model(request, models).map(|m| (m.price_in(), m.price_out()))
    }

    #[test]
    fn first_affordable_matching_entry_wins() {
        let s = server(&[
            ("org/other", "", "Q4", 1, 1),
            ("org/model", "main", "F16", 90, 90),
            ("org/model", "main", "Q4", 20, 30),
            ("org/model", "v2", "Q8", 10, 10),
        ]);
        // Unpinned: the cheap v2 entry comes after an affordable main entry.
        assert_eq!(pick(&s, &request("org/model", "", 50, 50)), Ok((20, 30)));
        assert_eq!(pick(&s, &request("org/model", "", 100, 100)), Ok((90, 90)));
        // Pinned revision: only exact revision matches.
        assert_eq!(pick(&s, &request("org/model", "v2", 50, 50)), Ok((10, 10)));
        assert_eq!(
            pick(&s, &request("org/model", "v3", 50, 50)),
            Err(ChainferenceError::ModelNotOffered)
        );
        // Offered but too expensive on either side.
        assert_eq!(
            pick(&s, &request("org/model", "main", 19, 100)),
            Err(ChainferenceError::PriceAboveMax)
        );
        assert_eq!(
            pick(&s, &request("org/model", "main", 100, 29)),
            Err(ChainferenceError::PriceAboveMax)
        );
        // Ids match exactly (no prefix or case folding).
        assert_eq!(
            pick(&s, &request("org/mode", "", 100, 100)),
            Err(ChainferenceError::ModelNotOffered)
        );
        assert_eq!(
            pick(&s, &request("Org/model", "", 100, 100)),
            Err(ChainferenceError::ModelNotOffered)
        );
    }
}
