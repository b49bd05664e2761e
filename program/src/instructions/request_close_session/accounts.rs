use pinocchio::{error::ProgramError, AccountView, Address};

use crate::{
    checks::{check_owner, check_signer, check_writable, eq32, exact_accounts},
    errors::ChainferenceError,
    idl::InstructionAccount,
    state::Session,
};

/// The accounts, in order (`crate::idl`).
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::readonly("client", "`session.client`.").signer(),
    InstructionAccount::writable("session", "An Open Session."),
];

pub struct RequestCloseSessionAccounts<'a> {
    pub session: &'a mut AccountView,
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for RequestCloseSessionAccounts<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        let [client, session] = exact_accounts::<{ ACCOUNTS.len() }>(accounts)?;

        // 1. Signers.
        check_signer(client)?;

        // 2. Writability.
        check_writable(session)?;

        // 3. Owners.
        check_owner(session, program_id)?;

        // 4. Discriminators.
        // SAFETY: read-only view, dropped before the processor borrows the data mutably.
        let loaded = Session::load(unsafe { session.borrow_unchecked() })?;

        // 5. Relations.
        if !eq32(loaded.client(), client.address().as_array()) {
            return Err(ChainferenceError::ClientMismatch.into());
        }

        Ok(Self { session })
    }
}
