use pinocchio::{
    account::MAX_PERMITTED_DATA_INCREASE, cpi::Seed, AccountView, Address, ProgramResult,
};

use super::{CreateRequestAccounts, CreateRequestData};
use crate::{
    checks::eq32,
    constants::{BPS_DENOMINATOR, FEE_VAULT_SHARDS},
    errors::ChainferenceError,
    lifecycle::{current_slot, MAX_MIN_AVG_RATING},
    math::add_u64,
    mem,
    pda::create_pda_account,
    rent::rent_exempt_minimum,
    state::{request::RequestStatus, AllowedServer, Config, Request},
    validate::{validate_hf_id, validate_revision},
};

/// `nonce % FEE_VAULT_SHARDS` as a mask (the shard count is a power of two ≤ 256).
const SHARD_MASK: u64 = FEE_VAULT_SHARDS as u64 - 1;
const _: () = assert!(FEE_VAULT_SHARDS.is_power_of_two() && FEE_VAULT_SHARDS <= 256);

/// Creates the Request PDA holding `rent + stake` lamports (the stake is escrowed in the account
/// itself: one System CPI, no separate transfer), Open, with the allow-list and first prompt bytes.
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = CreateRequestAccounts::try_from((program_id, accounts))?;
    let data = CreateRequestData::try_from(data)?;

    // SAFETY: read-only view; the config is not written in this instruction.
    let config = Config::load(unsafe { accounts.config.borrow_unchecked() })?;
    if config.is_paused() {
        return Err(ChainferenceError::ProtocolPaused.into());
    }
    if data.stake < config.min_stake() {
        return Err(ChainferenceError::StakeTooLow.into());
    }
    let response_timeout = match data.response_timeout {
        0 => config.default_response_timeout(),
        t if t > config.max_response_timeout() => {
            return Err(ChainferenceError::InvalidTimeout.into())
        }
        // Too short for any server to answer: a trap that would mark the locking server expired.
        t if t < config.min_response_timeout() => {
            return Err(ChainferenceError::TimeoutTooShort.into())
        }
        t => t,
    };
    if data.prompt_len > config.max_prompt_bytes() {
        return Err(ChainferenceError::PromptTooLarge.into());
    }
    if data.prompt.len() > data.prompt_len as usize {
        return Err(ChainferenceError::PromptLengthMismatch.into());
    }
    validate_hf_id(data.model)?;
    validate_revision(data.revision)?;
    if data.min_success_bps as u64 > BPS_DENOMINATOR || data.min_avg_rating > MAX_MIN_AVG_RATING {
        return Err(ChainferenceError::InvalidFilter.into());
    }
    for (i, a) in data.allowed.iter().enumerate() {
        let a = AllowedServer::from_raw(a).server();
        for b in &data.allowed[..i] {
            if eq32(a, AllowedServer::from_raw(b).server()) {
                return Err(ChainferenceError::DuplicateAllowedServer.into());
            }
        }
    }

    let now = current_slot()?;
    let open_until = add_u64(now, config.open_request_slots())?;
    let fee_bps = config.fee_bps();
    let max_response_bytes = config.max_response_bytes();

    let space = Request::space(data.allowed.len(), data.prompt_len as usize);
    // An account created by CPI can hold at most 10 KiB (the runtime's per-instruction growth
    // limit), whatever `max_prompt_bytes` says: fail with a clear error instead of InvalidRealloc.
    if space > MAX_PERMITTED_DATA_INCREASE {
        return Err(ChainferenceError::PromptTooLarge.into());
    }
    let lamports = add_u64(rent_exempt_minimum(space)?, data.stake)?;
    let nonce = data.nonce.to_le_bytes();
    let bump = [data.bump];
    let seeds = [
        Seed::from(Request::PREFIX),
        Seed::from(accounts.client.address().as_array()),
        Seed::from(&nonce),
        Seed::from(&bump),
    ];
    create_pda_account(
        accounts.client,
        accounts.request,
        space,
        lamports,
        program_id,
        &seeds,
    )?;

    // SAFETY: no other reference to the request data exists; it was just allocated by the CPI.
    let request = Request::init(
        unsafe { accounts.request.borrow_unchecked_mut() },
        data.allowed.len(),
        data.prompt_len,
    )?;
    let header = request.header;
    header.set_bump(data.bump);
    header.set_status(RequestStatus::Open);
    header.set_client(accounts.client.address().as_array());
    header.set_nonce(data.nonce);
    header.set_model(data.model);
    header.set_revision(data.revision);
    header.set_fee_bps(fee_bps);
    header.set_fee_shard((data.nonce & SHARD_MASK) as u8);
    header.set_stake(data.stake);
    header.set_created_slot(now);
    header.set_open_until_slot(open_until);
    header.set_response_timeout(response_timeout);
    header.set_max_price_in(data.max_price_in);
    header.set_max_price_out(data.max_price_out);
    header.set_min_completed(data.min_completed);
    header.set_min_success_bps(data.min_success_bps);
    header.set_min_avg_rating(data.min_avg_rating);
    header.set_max_response_bytes(max_response_bytes);
    header.set_client_key(data.client_key);
    header.set_response_bump(data.response_bump);
    mem::copy(
        AllowedServer::slice_as_bytes_mut(request.allowed),
        data.allowed.as_flattened(),
    );
    let written = data.prompt.len();
    mem::copy(&mut request.prompt[..written], data.prompt);
    // `written ≤ prompt_len` (a u32), checked above.
    header.set_prompt_written(written as u32);
    header.set_sealed(written == data.prompt_len as usize);
    Ok(())
}
