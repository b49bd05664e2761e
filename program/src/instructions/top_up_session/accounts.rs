use pinocchio::{error::ProgramError, AccountView, Address};

use crate::{
    checks::{
        check_owner, check_system_program, check_writable, check_writable_signer, eq32,
        exact_accounts,
    },
    errors::ChainferenceError,
    idl::InstructionAccount,
    state::Session,
};

/// The accounts, in order (`crate::idl`).
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::writable("client", "`session.client`; pays the top-up.").signer(),
    InstructionAccount::writable("session", "An Open Session."),
    InstructionAccount::system_program(),
];

/// The client is `session.client`, a wallet the System program debits: never the session itself
/// (a program-owned account cannot be debited by the System program).
pub struct TopUpSessionAccounts<'a> {
    pub client: &'a mut AccountView,
    pub session: &'a mut AccountView,
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for TopUpSessionAccounts<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        let [client, session, system_program] = exact_accounts::<{ ACCOUNTS.len() }>(accounts)?;

        // 1. Signers (with the client's writability).
        check_writable_signer(client)?;

        // 2. Writability.
        check_writable(session)?;

        // 3. Owners and programs.
        check_owner(session, program_id)?;
        check_system_program(system_program)?;

        // 4. Discriminators.
        // SAFETY: read-only view, dropped before the processor borrows the data mutably.
        let loaded = Session::load(unsafe { session.borrow_unchecked() })?;

        // 5. Relations.
        if !eq32(loaded.client(), client.address().as_array()) {
            return Err(ChainferenceError::ClientMismatch.into());
        }

        Ok(Self { client, session })
    }
}
