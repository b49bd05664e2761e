//! `settle_session` (17): the server's operator settles the client's latest voucher, verified by
//! the Ed25519 precompile instruction immediately before this one (`crate::voucher`). The
//! operator gets `delta − fee`, the fee vault shard the fee; the Server's reputation grows by what
//! was paid.

mod accounts;
mod processor;

pub use accounts::{SettleSessionAccounts, ACCOUNTS};
pub use processor::process;
