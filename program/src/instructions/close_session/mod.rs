//! `close_session` (19): ends a session. The server's operator may close at any time (the
//! cooperative close, after its final settle in the same transaction); the client once the settle
//! deadline has passed. The unspent deposit returns to the client.

mod accounts;
mod processor;

pub use accounts::{CloseSessionAccounts, ACCOUNTS};
pub use processor::process;
