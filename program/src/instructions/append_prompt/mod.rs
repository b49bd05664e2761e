//! `append_prompt` (6): the client writes the next slice of prompt ciphertext into its Open
//! request; the request is sealed (lockable) once `prompt_written == prompt_len`.

mod accounts;
mod data;
mod processor;

pub use accounts::{AppendPromptAccounts, ACCOUNTS};
pub use data::{AppendPromptData, ARGS};
pub use processor::process;
