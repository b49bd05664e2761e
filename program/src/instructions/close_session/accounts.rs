use pinocchio::{error::ProgramError, AccountView, Address};

use crate::{
    checks::{check_owner, check_signer, check_writable, eq32, exact_accounts},
    errors::ChainferenceError,
    idl::InstructionAccount,
    state::Session,
};

/// The accounts, in order (`crate::idl`).
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::readonly(
        "caller",
        "`session.operator` (any time) or `session.client` (once the settle deadline has passed).",
    )
    .signer(),
    InstructionAccount::writable("session", "An Open or Closing Session."),
    InstructionAccount::writable(
        "client",
        "`session.client`; receives `deposit − settled` (and the rent when the account is freed).",
    ),
];

/// Which party signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closer {
    Operator,
    Client,
}

/// The client is `session.client`, a wallet, never the session itself (the session stores another
/// address than its own: a PDA cannot be a client that signed `open_session`).
pub struct CloseSessionAccounts<'a> {
    pub closer: Closer,
    pub session: &'a mut AccountView,
    pub client: &'a mut AccountView,
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for CloseSessionAccounts<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        let [caller, session, client] = exact_accounts::<{ ACCOUNTS.len() }>(accounts)?;

        // 1. Signers.
        check_signer(caller)?;

        // 2. Writability.
        check_writable(session)?;
        check_writable(client)?;

        // 3. Owners.
        check_owner(session, program_id)?;

        // 4. Discriminators.
        // SAFETY: read-only view, dropped before the processor borrows the data or closes it.
        let loaded = Session::load(unsafe { session.borrow_unchecked() })?;

        // 5. Relations.
        if !eq32(loaded.client(), client.address().as_array()) {
            return Err(ChainferenceError::ClientMismatch.into());
        }
        let closer = if eq32(loaded.operator(), caller.address().as_array()) {
            Closer::Operator
        } else if eq32(loaded.client(), caller.address().as_array()) {
            Closer::Client
        } else {
            return Err(ChainferenceError::NotSessionParty.into());
        };

        Ok(Self {
            closer,
            session,
            client,
        })
    }
}
