use pinocchio::{error::ProgramError, AccountView, Address};

use crate::{
    checks::{check_owner, check_writable, eq32, exact_accounts},
    errors::ChainferenceError,
    idl::InstructionAccount,
    state::Session,
};

/// The accounts, in order (`crate::idl`). No signer: anyone (the fee payer) may reclaim.
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::writable("session", "A Closed Session (tombstone)."),
    InstructionAccount::writable("client", "`session.client`; receives every lamport."),
];

pub struct ReclaimSessionAccounts<'a> {
    pub session: &'a mut AccountView,
    pub client: &'a mut AccountView,
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for ReclaimSessionAccounts<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        let [session, client] = exact_accounts::<{ ACCOUNTS.len() }>(accounts)?;

        // 1. Signers: none.

        // 2. Writability.
        check_writable(session)?;
        check_writable(client)?;

        // 3. Owners.
        check_owner(session, program_id)?;

        // 4. Discriminators.
        // SAFETY: read-only view, dropped before the processor reads it again or closes it.
        let loaded = Session::load(unsafe { session.borrow_unchecked() })?;

        // 5. Relations (the session stores another address than its own, so they are distinct).
        if !eq32(loaded.client(), client.address().as_array()) {
            return Err(ChainferenceError::ClientMismatch.into());
        }

        Ok(Self { session, client })
    }
}
