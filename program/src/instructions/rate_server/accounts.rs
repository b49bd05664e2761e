use pinocchio::{error::ProgramError, AccountView, Address};

use crate::{
    checks::{check_owner, check_signer, check_writable, eq32, exact_accounts},
    errors::ChainferenceError,
    idl::InstructionAccount,
    state::{Response, Server},
};

/// The accounts, in order (`crate::idl`: the IDL, the generated client and the generated negative
/// tests come from this list).
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::readonly("client", "`response.client`.").signer(),
    InstructionAccount::writable("response", "A completed, unrated Response."),
    InstructionAccount::writable("server", "The Server at `response.server`."),
];

/// Response and server carry different discriminators, so they are distinct accounts.
pub struct RateServerAccounts<'a> {
    pub client: &'a AccountView,
    pub response: &'a mut AccountView,
    pub server: &'a mut AccountView,
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for RateServerAccounts<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        let [client, response, server] = exact_accounts::<{ ACCOUNTS.len() }>(accounts)?;

        // 1. Signers.
        check_signer(client)?;

        // 2. Writability.
        check_writable(response)?;
        check_writable(server)?;

        // 3. Owners.
        check_owner(response, program_id)?;
        check_owner(server, program_id)?;

        // 4. Discriminators.
        // SAFETY: read-only views; the processor borrows mutably only after they are dropped.
        let loaded_response = Response::load(unsafe { response.borrow_unchecked() })?;
        // SAFETY: as above.
        Server::load(unsafe { server.borrow_unchecked() })?;

        // 5. Relations.
        if !eq32(loaded_response.client(), client.address().as_array()) {
            return Err(ChainferenceError::ClientMismatch.into());
        }
        if !eq32(loaded_response.server(), server.address().as_array()) {
            return Err(ChainferenceError::ServerMismatch.into());
        }

        Ok(Self {
            client,
            response,
            server,
        })
    }
}
