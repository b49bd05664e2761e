//! `open_session` (15): the client opens a payment channel with one server for one model,
//! escrowing the deposit in the Session account itself (`docs/sessions.md`).

mod accounts;
mod data;
mod processor;

pub use accounts::{OpenSessionAccounts, ACCOUNTS};
pub use data::{OpenSessionData, ARGS};
pub use processor::process;
