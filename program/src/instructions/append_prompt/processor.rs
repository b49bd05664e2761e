use pinocchio::{AccountView, Address, ProgramResult};

use super::{AppendPromptAccounts, AppendPromptData};
use crate::{errors::ChainferenceError, mem, state::Request};

/// Writes `data` at `offset == prompt_written`; seals the request when the prompt is complete.
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = AppendPromptAccounts::try_from((program_id, accounts))?;
    let data = AppendPromptData::try_from(data)?;

    // SAFETY: the only reference to the request data in this instruction.
    let request = Request::load_full_mut(unsafe { accounts.request.borrow_unchecked_mut() })?;
    let header = request.header;
    if !header.is_open() {
        return Err(ChainferenceError::RequestNotOpen.into());
    }
    let written = header.prompt_written();
    // Sealed (nothing left to write), out of order, empty, or past `prompt_len`.
    if header.is_sealed() || data.offset != written || data.data.is_empty() {
        return Err(ChainferenceError::PromptLengthMismatch.into());
    }
    let start = written as usize;
    let end = start
        .checked_add(data.data.len())
        .filter(|&end| end <= request.prompt.len())
        .ok_or(ChainferenceError::PromptLengthMismatch)?;
    mem::copy(&mut request.prompt[start..end], data.data);
    // `end ≤ prompt_len`, a u32.
    header.set_prompt_written(end as u32);
    header.set_sealed(end == request.prompt.len());
    Ok(())
}
