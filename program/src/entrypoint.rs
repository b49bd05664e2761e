//! Program entrypoint: one byte of instruction discriminator, then the instruction's Borsh data.

use pinocchio::{AccountView, Address, ProgramResult};

use crate::{
    errors::ChainferenceError,
    instructions::{self, Discriminator},
};

/// Accounts the entrypoint deserializes (it drops any beyond, which keeps its stack frame small).
/// Every instruction takes fewer (the longest, `initialize_config` and `withdraw_fees`, 3 + 16:
/// asserted in `instructions`), so a longer list still arrives too long and fails with
/// `TooManyAccounts`.
pub const MAX_ACCOUNTS: usize = 24;

pinocchio::program_entrypoint!(process_instruction, MAX_ACCOUNTS);
pinocchio::no_allocator!();
pinocchio::nostd_panic_handler!();

/// Dispatches on the first data byte. Arms are ordered hot-first (the streaming and settlement
/// path), the admin instructions last.
#[inline(always)]
pub fn process_instruction(
    program_id: &Address,
    accounts: &mut [AccountView],
    instruction_data: &[u8],
) -> ProgramResult {
    let (discriminator, data) = instruction_data
        .split_first()
        .ok_or(ChainferenceError::InvalidInstruction)?;

    match Discriminator::try_from(*discriminator)? {
        Discriminator::SettleSession => {
            instructions::settle_session::process(program_id, accounts, data)
        }
        Discriminator::AppendResponse => {
            instructions::append_response::process(program_id, accounts, data)
        }
        Discriminator::LockRequest => {
            instructions::lock_request::process(program_id, accounts, data)
        }
        Discriminator::CompleteRequest => {
            instructions::complete_request::process(program_id, accounts, data)
        }
        Discriminator::HandOffRequest => {
            instructions::hand_off_request::process(program_id, accounts, data)
        }
        Discriminator::CreateRequest => {
            instructions::create_request::process(program_id, accounts, data)
        }
        Discriminator::AppendPrompt => {
            instructions::append_prompt::process(program_id, accounts, data)
        }
        Discriminator::ExpireRequest => {
            instructions::expire_request::process(program_id, accounts, data)
        }
        Discriminator::CancelRequest => {
            instructions::cancel_request::process(program_id, accounts, data)
        }
        Discriminator::RateServer => instructions::rate_server::process(program_id, accounts, data),
        Discriminator::CloseResponse => {
            instructions::close_response::process(program_id, accounts, data)
        }
        Discriminator::OpenSession => {
            instructions::open_session::process(program_id, accounts, data)
        }
        Discriminator::CloseSession => {
            instructions::close_session::process(program_id, accounts, data)
        }
        Discriminator::TopUpSession => {
            instructions::top_up_session::process(program_id, accounts, data)
        }
        Discriminator::RequestCloseSession => {
            instructions::request_close_session::process(program_id, accounts, data)
        }
        Discriminator::ReclaimSession => {
            instructions::reclaim_session::process(program_id, accounts, data)
        }
        Discriminator::UpdateServer => {
            instructions::update_server::process(program_id, accounts, data)
        }
        Discriminator::RegisterServer => {
            instructions::register_server::process(program_id, accounts, data)
        }
        Discriminator::CloseServer => {
            instructions::close_server::process(program_id, accounts, data)
        }
        Discriminator::DepositBond => {
            instructions::deposit_bond::process(program_id, accounts, data)
        }
        Discriminator::WithdrawBond => {
            instructions::withdraw_bond::process(program_id, accounts, data)
        }
        Discriminator::WithdrawFees => {
            instructions::withdraw_fees::process(program_id, accounts, data)
        }
        Discriminator::UpdateConfig => {
            instructions::update_config::process(program_id, accounts, data)
        }
        Discriminator::InitializeConfig => {
            instructions::initialize_config::process(program_id, accounts, data)
        }
    }
}
