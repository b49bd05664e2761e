use pinocchio::{error::ProgramError, AccountView, Address};

use crate::{
    checks::{check_owner, check_readonly, check_signer, check_writable, eq32, exact_accounts},
    errors::ChainferenceError,
    idl::InstructionAccount,
    state::{Request, Server},
};

/// The accounts, in order (`crate::idl`: the IDL, the generated client and the generated negative
/// tests come from this list).
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::readonly("client", "`request.client`.").signer(),
    InstructionAccount::writable(
        "request",
        "The client's Open, sealed Request (one allow-list entry is replaced).",
    ),
    InstructionAccount::readonly("server", "The Server the new entry names."),
];

/// Request and server carry different discriminators, so they are distinct accounts.
pub struct HandOffRequestAccounts<'a> {
    pub client: &'a AccountView,
    pub request: &'a mut AccountView,
    pub server: &'a AccountView,
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for HandOffRequestAccounts<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        let [client, request, server] = exact_accounts::<{ ACCOUNTS.len() }>(accounts)?;

        // 1. Signers.
        check_signer(client)?;

        // 2. Writability.
        check_writable(request)?;
        check_readonly(server)?;

        // 3. Owners.
        check_owner(request, program_id)?;
        check_owner(server, program_id)?;

        // 4. Discriminators.
        // SAFETY: read-only views; the processor borrows the request mutably only after they are
        // dropped, and never writes the server.
        let loaded = Request::load(unsafe { request.borrow_unchecked() })?;
        // SAFETY: as above.
        Server::load(unsafe { server.borrow_unchecked() })?;

        // 5. Relations.
        if !eq32(loaded.client(), client.address().as_array()) {
            return Err(ChainferenceError::ClientMismatch.into());
        }

        Ok(Self {
            client,
            request,
            server,
        })
    }
}
