//! One folder per instruction: `mod.rs` (declares and re-exports only), `accounts.rs` (account list
//! + every check), `data.rs` (instruction data, no trailing bytes), `processor.rs` (business logic).
//!
//! Every instruction exposes
//! `pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult`
//! where `data` is the instruction data *after* the one-byte discriminator.
//!
//! Accounts convention: `XxxAccounts::try_from((program_id, accounts))` — `TryFrom<(&Address,
//! &'a mut [AccountView])>`, a slice pattern, numbered check blocks, a doc table of the accounts.
//! Data convention: `XxxData::try_from(data)` — `TryFrom<&'a [u8]>` built on [`crate::borsh::Reader`],
//! ending with `reader.finish()?` (trailing bytes rejected).

use pinocchio::error::ProgramError;

use crate::{errors::ChainferenceError, idl::Instruction};

pub mod model_input;

pub mod append_prompt;
pub mod append_response;
pub mod cancel_request;
pub mod close_response;
pub mod close_server;
pub mod complete_request;
pub mod create_request;
pub mod deposit_bond;
pub mod expire_request;
pub mod hand_off_request;
pub mod initialize_config;
pub mod lock_request;
pub mod rate_server;
pub mod register_server;
pub mod update_config;
pub mod update_server;
pub mod withdraw_bond;
pub mod withdraw_fees;

pub mod close_session;
pub mod open_session;
pub mod reclaim_session;
pub mod request_close_session;
pub mod settle_session;
pub mod top_up_session;

/// Instruction discriminators: the first byte of instruction data (`docs/protocol.md`).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Discriminator {
    InitializeConfig = 0,
    UpdateConfig = 1,
    RegisterServer = 2,
    UpdateServer = 3,
    CloseServer = 4,
    CreateRequest = 5,
    AppendPrompt = 6,
    CancelRequest = 7,
    LockRequest = 8,
    AppendResponse = 9,
    CompleteRequest = 10,
    ExpireRequest = 11,
    RateServer = 12,
    CloseResponse = 13,
    WithdrawFees = 14,
    OpenSession = 15,
    TopUpSession = 16,
    SettleSession = 17,
    RequestCloseSession = 18,
    CloseSession = 19,
    ReclaimSession = 20,
    DepositBond = 21,
    WithdrawBond = 22,
    HandOffRequest = 23,
}

/// Every instruction in discriminator order: the interface description the IDL is generated from
/// (`crate::idl`). Account lists live in each `accounts.rs`, data in each `data.rs`.
pub const INSTRUCTIONS: [Instruction; 24] = [
    Instruction {
        name: "initialize_config",
        discriminator: Discriminator::InitializeConfig,
        docs: "Creates the Config and the 16 fee vault shards (admin = signer).",
        accounts: initialize_config::ACCOUNTS,
        remaining: Some(initialize_config::FEE_VAULTS),
        args: initialize_config::ARGS,
    },
    Instruction {
        name: "update_config",
        discriminator: Discriminator::UpdateConfig,
        docs: "Replaces every Config value (admin only).",
        accounts: update_config::ACCOUNTS,
        remaining: None,
        args: update_config::ARGS,
    },
    Instruction {
        name: "register_server",
        discriminator: Discriminator::RegisterServer,
        docs: "Creates the operator's Server account.",
        accounts: register_server::ACCOUNTS,
        remaining: None,
        args: register_server::ARGS,
    },
    Instruction {
        name: "update_server",
        discriminator: Discriminator::UpdateServer,
        docs: "Replaces key, endpoint, active flag and models; resizes the account (rent top-up or refund).",
        accounts: update_server::ACCOUNTS,
        remaining: None,
        args: update_server::ARGS,
    },
    Instruction {
        name: "close_server",
        discriminator: Discriminator::CloseServer,
        docs: "Closes a Server without active locks; rent to the operator.",
        accounts: close_server::ACCOUNTS,
        remaining: None,
        args: &[],
    },
    Instruction {
        name: "create_request",
        discriminator: Discriminator::CreateRequest,
        docs: "Creates a Request escrowing the stake, with the first prompt bytes.",
        accounts: create_request::ACCOUNTS,
        remaining: None,
        args: create_request::ARGS,
    },
    Instruction {
        name: "append_prompt",
        discriminator: Discriminator::AppendPrompt,
        docs: "Appends prompt ciphertext at `offset` (must equal prompt_written).",
        accounts: append_prompt::ACCOUNTS,
        remaining: None,
        args: append_prompt::ARGS,
    },
    Instruction {
        name: "cancel_request",
        discriminator: Discriminator::CancelRequest,
        docs: "Client closes an Open request; every lamport returns to the client.",
        accounts: cancel_request::ACCOUNTS,
        remaining: None,
        args: &[],
    },
    Instruction {
        name: "lock_request",
        discriminator: Discriminator::LockRequest,
        docs: "A server that passes the filters locks an Open, sealed request, naming its current X25519 key.",
        accounts: lock_request::ACCOUNTS,
        remaining: None,
        args: lock_request::ARGS,
    },
    Instruction {
        name: "append_response",
        discriminator: Discriminator::AppendResponse,
        docs: "Appends one encrypted chunk; the first call creates the Response account.",
        accounts: append_response::ACCOUNTS,
        remaining: None,
        args: append_response::ARGS,
    },
    Instruction {
        name: "complete_request",
        discriminator: Discriminator::CompleteRequest,
        docs: "Settles a final response: pays the operator and the fee vault, refunds and closes the request.",
        accounts: complete_request::ACCOUNTS,
        remaining: None,
        args: complete_request::ARGS,
    },
    Instruction {
        name: "expire_request",
        discriminator: Discriminator::ExpireRequest,
        docs: "Anyone: refunds and closes an Open request past open_until or a Locked one past its deadline.",
        accounts: expire_request::ACCOUNTS,
        remaining: None,
        args: &[],
    },
    Instruction {
        name: "rate_server",
        discriminator: Discriminator::RateServer,
        docs: "Client rates a completed response once (1..=5).",
        accounts: rate_server::ACCOUNTS,
        remaining: None,
        args: rate_server::ARGS,
    },
    Instruction {
        name: "close_response",
        discriminator: Discriminator::CloseResponse,
        docs: "Closes a completed response (client any time, anyone after the grace period); rent to the operator.",
        accounts: close_response::ACCOUNTS,
        remaining: None,
        args: &[],
    },
    Instruction {
        name: "withdraw_fees",
        discriminator: Discriminator::WithdrawFees,
        docs: "Admin sweeps every vault's lamports above rent to the treasury.",
        accounts: withdraw_fees::ACCOUNTS,
        remaining: Some(withdraw_fees::FEE_VAULTS),
        args: &[],
    },
    Instruction {
        name: "open_session",
        discriminator: Discriminator::OpenSession,
        docs: "Client opens a payment channel with one server for one model, escrowing the deposit in the Session.",
        accounts: open_session::ACCOUNTS,
        remaining: None,
        args: open_session::ARGS,
    },
    Instruction {
        name: "top_up_session",
        discriminator: Discriminator::TopUpSession,
        docs: "Client adds lamports to an Open session's deposit.",
        accounts: top_up_session::ACCOUNTS,
        remaining: None,
        args: top_up_session::ARGS,
    },
    Instruction {
        name: "settle_session",
        discriminator: Discriminator::SettleSession,
        docs: "Operator settles the voucher verified by the Ed25519 instruction right before this one: delta − fee to the operator, fee to the vault.",
        accounts: settle_session::ACCOUNTS,
        remaining: None,
        args: &[],
    },
    Instruction {
        name: "request_close_session",
        discriminator: Discriminator::RequestCloseSession,
        docs: "Client starts a forced close: Open → Closing; the server keeps grace_slots to settle.",
        accounts: request_close_session::ACCOUNTS,
        remaining: None,
        args: &[],
    },
    Instruction {
        name: "close_session",
        discriminator: Discriminator::CloseSession,
        docs: "Operator any time, client after the settle deadline: refunds deposit − settled; frees the account or leaves a Closed tombstone.",
        accounts: close_session::ACCOUNTS,
        remaining: None,
        args: &[],
    },
    Instruction {
        name: "reclaim_session",
        discriminator: Discriminator::ReclaimSession,
        docs: "Anyone frees a Closed session once its open slot has left the window; rent to the client.",
        accounts: reclaim_session::ACCOUNTS,
        remaining: None,
        args: &[],
    },
    Instruction {
        name: "deposit_bond",
        discriminator: Discriminator::DepositBond,
        docs: "Operator adds lamports to its server's bond (slashed to clients of abandoned locks).",
        accounts: deposit_bond::ACCOUNTS,
        remaining: None,
        args: deposit_bond::ARGS,
    },
    Instruction {
        name: "withdraw_bond",
        discriminator: Discriminator::WithdrawBond,
        docs: "Operator takes lamports out of its bond: no locks held, cooldown since its last lock or settlement passed.",
        accounts: withdraw_bond::ACCOUNTS,
        remaining: None,
        args: withdraw_bond::ARGS,
    },
    Instruction {
        name: "hand_off_request",
        discriminator: Discriminator::HandOffRequest,
        docs: "Client replaces one allow-list entry of an Open, sealed request with a wrap for another server.",
        accounts: hand_off_request::ACCOUNTS,
        remaining: None,
        args: hand_off_request::ARGS,
    },
];

/// Every account list is shorter than the entrypoint's `MAX_ACCOUNTS`, so a list the entrypoint
/// truncates is still too long for the instruction (`TooManyAccounts`).
const _: () = {
    let mut i = 0;
    while i < INSTRUCTIONS.len() {
        let ix = &INSTRUCTIONS[i];
        let extra = match ix.remaining {
            Some(r) => r.max,
            None => 0,
        };
        assert!(ix.accounts.len() + extra < crate::entrypoint::MAX_ACCOUNTS);
        i += 1;
    }
};

impl TryFrom<u8> for Discriminator {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Ok(match value {
            0 => Self::InitializeConfig,
            1 => Self::UpdateConfig,
            2 => Self::RegisterServer,
            3 => Self::UpdateServer,
            4 => Self::CloseServer,
            5 => Self::CreateRequest,
            6 => Self::AppendPrompt,
            7 => Self::CancelRequest,
            8 => Self::LockRequest,
            9 => Self::AppendResponse,
            10 => Self::CompleteRequest,
            11 => Self::ExpireRequest,
            12 => Self::RateServer,
            13 => Self::CloseResponse,
            14 => Self::WithdrawFees,
            15 => Self::OpenSession,
            16 => Self::TopUpSession,
            17 => Self::SettleSession,
            18 => Self::RequestCloseSession,
            19 => Self::CloseSession,
            20 => Self::ReclaimSession,
            21 => Self::DepositBond,
            22 => Self::WithdrawBond,
            23 => Self::HandOffRequest,
            _ => return Err(ChainferenceError::InvalidInstruction.into()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discriminators_round_trip() {
        for b in 0u8..=23 {
            assert_eq!(Discriminator::try_from(b).unwrap() as u8, b);
        }
        for b in 24u8..=255 {
            assert_eq!(
                Discriminator::try_from(b),
                Err(ProgramError::Custom(
                    ChainferenceError::InvalidInstruction as u32
                ))
            );
        }
    }
}
