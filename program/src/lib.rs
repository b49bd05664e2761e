#![no_std]
use pinocchio::{AccountView, Address, ProgramResult, error::ProgramError};

pinocchio::program_entrypoint!(process_instruction);
pinocchio::no_allocator!();
pinocchio::nostd_panic_handler!();

pub fn process_instruction(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    match data.first() {
        Some(0) => {
            let [payer, acct, ..] = accounts else { return Err(ProgramError::NotEnoughAccountKeys) };
            let bump = [data[1]];
            let seeds = [pinocchio::cpi::Seed::from(b"config".as_slice()), pinocchio::cpi::Seed::from(bump.as_slice())];
            let signer = pinocchio::cpi::Signer::from(&seeds);
            pinocchio_system::instructions::CreateAccount::with_minimum_balance(payer, acct, 64, program_id, None)?.invoke_signed(&[signer])
        }
        Some(1) => {
            let a = u64::from_le_bytes(data[1..9].try_into().unwrap());
            let b = u64::from_le_bytes(data[9..17].try_into().unwrap());
            let c = a.checked_add(b).ok_or(ProgramError::ArithmeticOverflow)?;
            if c == 0 { Err(ProgramError::Custom(7)) } else { Ok(()) }
        }
        _ => Err(ProgramError::InvalidInstructionData),
    }
}
