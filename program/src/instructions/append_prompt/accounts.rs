use pinocchio::{error::ProgramError, AccountView, Address};

use crate::idl::InstructionAccount;

use crate::lifecycle::client_request_accounts;

/// The accounts, in order (`crate::idl`: the IDL, the generated client and the generated negative
/// tests come from this list).
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::readonly("client", "`request.client`.").signer(),
    InstructionAccount::writable("request", "The client's Open, unsealed Request."),
];

const _: () = assert!(
    ACCOUNTS.len() == 2,
    "client_request_accounts takes two accounts"
);

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
