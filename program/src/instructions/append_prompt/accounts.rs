use pinocchio::{error::ProgramError, AccountView, Address};

use crate::lifecycle::client_request_accounts;

/// | # | account | flags | |
/// | --- | --- | --- | --- |
/// | 0 | client | s | `request.client` |
/// | 1 | request | w | Request PDA |
pub struct AppendPromptAccounts<'a> {
    pub client: &'a AccountView,
    pub request: &'a mut AccountView,
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for AppendPromptAccounts<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        // Shared with cancel_request (which also needs the client writable).
        let (client, request) = client_request_accounts::<false>(program_id, accounts)?;
        Ok(Self { client, request })
    }
}
