use pinocchio::{cpi::Seed, AccountView, Address, ProgramResult};

use super::{OpenSessionAccounts, OpenSessionData};
use crate::{
    constants::{FEE_VAULT_SHARDS, MAX_SESSION_SLOTS, MIN_GRACE_SLOTS, OPEN_SLOT_WINDOW},
    errors::ChainferenceError,
    lifecycle::{current_slot, select_offer, ClientFilters},
    math::add_u64,
    pda::create_pda_account,
    rent::rent_exempt_minimum,
    state::{Config, Server, Session, SessionStatus},
};

/// `open_slot % FEE_VAULT_SHARDS` as a mask (the shard count is a power of two ≤ 256).
const SHARD_MASK: u64 = FEE_VAULT_SHARDS as u64 - 1;
const _: () = assert!(FEE_VAULT_SHARDS.is_power_of_two() && FEE_VAULT_SHARDS <= 256);

/// Checks the window, the lifetime, the grace, the deposit and the client's filters against the
/// server (`select_offer`, as at lock), then creates the Session PDA holding `rent + deposit` in
/// one System CPI, Open, with the server's prices, key epoch and operator and the config's fee
/// snapshotted.
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = OpenSessionAccounts::try_from((program_id, accounts))?;
    let data = OpenSessionData::try_from(data)?;

    // SAFETY: read-only view; the config is not written in this instruction.
    let config = Config::load(unsafe { accounts.config.borrow_unchecked() })?;
    if config.is_paused() {
        return Err(ChainferenceError::ProtocolPaused.into());
    }
    if data.deposit < config.min_stake() {
        return Err(ChainferenceError::StakeTooLow.into());
    }
    let fee_bps = config.fee_bps();

    let now = current_slot()?;
    // `open_slot ≤ now` first, so `now − open_slot` cannot wrap.
    if data.open_slot > now || now.wrapping_sub(data.open_slot) > OPEN_SLOT_WINDOW {
        return Err(ChainferenceError::OpenSlotOutOfWindow.into());
    }
    // `expiry_slot > now` first, so `expiry_slot − now` cannot wrap.
    if data.expiry_slot <= now || data.expiry_slot.wrapping_sub(now) > MAX_SESSION_SLOTS {
        return Err(ChainferenceError::InvalidSessionExpiry.into());
    }
    if data.grace_slots < MIN_GRACE_SLOTS {
        return Err(ChainferenceError::GraceTooShort.into());
    }

    let (price_in, price_out, key_epoch, operator) = {
        // SAFETY: read-only view; the server is not written in this instruction and the view is
        // dropped before the CPI.
        let (server, models) =
            Server::load_with_models(unsafe { accounts.server.borrow_unchecked() })?;
        if !server.is_active() {
            return Err(ChainferenceError::ServerInactive.into());
        }
        let filters = ClientFilters {
            model: data.model,
            revision: data.revision,
            max_price_in: data.max_price_in,
            max_price_out: data.max_price_out,
            min_completed: data.min_completed,
            min_success_bps: data.min_success_bps,
            min_avg_rating: data.min_avg_rating,
        };
        let entry = select_offer(server, models, &filters)?;
        (
            entry.price_in(),
            entry.price_out(),
            server.key_epoch(),
            *server.operator(),
        )
    };

    let lamports = add_u64(rent_exempt_minimum(Session::LEN)?, data.deposit)?;
    let open_slot = data.open_slot.to_le_bytes();
    let bump = [data.bump];
    let seeds = [
        Seed::from(Session::PREFIX),
        Seed::from(accounts.client.address().as_array()),
        Seed::from(accounts.server.address().as_array()),
        Seed::from(&open_slot),
        Seed::from(&bump),
    ];
    create_pda_account(
        accounts.client,
        accounts.session,
        Session::LEN,
        lamports,
        program_id,
        &seeds,
    )?;

    // SAFETY: no other reference to the session data exists; it was just allocated by the CPI.
    let session = Session::init(unsafe { accounts.session.borrow_unchecked_mut() })?;
    session.set_bump(data.bump);
    session.set_status(SessionStatus::Open);
    session.set_client(accounts.client.address().as_array());
    session.set_server(accounts.server.address().as_array());
    session.set_operator(&operator);
    session.set_voucher_signer(data.voucher_signer);
    // The model matched a server entry exactly, so it is a valid id of ≤ 96 bytes; a non-empty
    // revision matched one too (≤ 40 bytes).
    session.set_model(data.model);
    session.set_revision(data.revision);
    session.set_fee_bps(fee_bps);
    session.set_fee_shard((data.open_slot & SHARD_MASK) as u8);
    session.set_key_epoch(key_epoch);
    session.set_price_in(price_in);
    session.set_price_out(price_out);
    session.set_deposit(data.deposit);
    session.set_open_slot(data.open_slot);
    session.set_expiry_slot(data.expiry_slot);
    session.set_grace_slots(data.grace_slots);
    Ok(())
}
