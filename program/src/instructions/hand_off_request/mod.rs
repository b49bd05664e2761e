//! `hand_off_request` (23): the client replaces one allow-list entry of its Open, sealed request
//! with the data key wrapped for another server, when the server it named did not lock in time.
//! Only the new server's wrap is written: the request stays readable by one server at a time.

mod accounts;
mod data;
mod processor;

pub use accounts::{HandOffRequestAccounts, ACCOUNTS};
pub use data::{HandOffRequestData, ARGS};
pub use processor::process;
