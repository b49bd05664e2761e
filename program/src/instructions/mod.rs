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

use crate::errors::ChainferenceError;

pub mod model_input;

pub mod append_prompt;
pub mod append_response;
pub mod cancel_request;
pub mod close_response;
pub mod close_server;
pub mod complete_request;
pub mod create_request;
pub mod expire_request;
pub mod initialize_config;
pub mod lock_request;
pub mod rate_server;
pub mod register_server;
pub mod update_config;
pub mod update_server;
pub mod withdraw_fees;

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
}

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
            _ => return Err(ChainferenceError::InvalidInstruction.into()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discriminators_round_trip() {
        for b in 0u8..=14 {
            assert_eq!(Discriminator::try_from(b).unwrap() as u8, b);
        }
        for b in 15u8..=255 {
            assert_eq!(
                Discriminator::try_from(b),
                Err(ProgramError::Custom(
                    ChainferenceError::InvalidInstruction as u32
                ))
            );
        }
    }
}
