use pinocchio::{error::ProgramError, AccountView, Address};

use crate::{
    checks::{check_owner, check_signer, check_writable, eq32},
    errors::ChainferenceError,
    state::Request,
};

/// | # | account | flags | |
/// | --- | --- | --- | --- |
/// | 0 | client | w, s | `request.client`; receives every lamport of the request |
/// | 1 | request | w | Request PDA, Open |
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
        let [client, request, ..] = accounts else {
            return Err(ChainferenceError::NotEnoughAccounts.into());
        };

        // 1. Signers.
        check_signer(client)?;

        // 2. Writability.
        check_writable(client)?;
        check_writable(request)?;

        // 3. Owners.
        check_owner(request, program_id)?;

        // 4. Discriminators.
        // SAFETY: read-only view, dropped before the account closes.
        let loaded = Request::load(unsafe { request.borrow_unchecked() })?;

        // 5. Relations (the client is a wallet, never the request itself).
        if !eq32(loaded.client(), client.address().as_array()) {
            return Err(ChainferenceError::ClientMismatch.into());
        }

        Ok(Self { client, request })
    }
}
