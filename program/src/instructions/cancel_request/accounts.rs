use pinocchio::{error::ProgramError, AccountView, Address};

use crate::idl::InstructionAccount;

use crate::lifecycle::client_request_accounts;

/// The accounts, in order (`crate::idl`: the IDL, the generated client and the generated negative
/// tests come from this list).
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::writable(
        "client",
        "`request.client`; receives every lamport of the request.",
    )
    .signer(),
    InstructionAccount::writable("request", "The client's Open Request; closes."),
];

const _: () = assert!(
    ACCOUNTS.len() == 2,
    "client_request_accounts takes two accounts"
);

pub struct CancelRequestAccounts<'a> {
    pub client: &'a mut AccountView,
    pub request: &'a mut AccountView,
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for CancelRequestAccounts<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        // Shared with append_prompt; the client is checked writable too (it receives the lamports).
        let (client, request) = client_request_accounts::<true>(program_id, accounts)?;
        Ok(Self { client, request })
    }
}
