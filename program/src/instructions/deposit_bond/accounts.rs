use pinocchio::{error::ProgramError, AccountView, Address};

use crate::{
    checks::{
        check_owner, check_system_program, check_writable, check_writable_signer, eq32,
        exact_accounts,
    },
    errors::ChainferenceError,
    idl::{InstructionAccount, SeedValue},
    state::Server,
};

/// The accounts, in order (`crate::idl`).
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::writable("operator", "`server.operator`; pays the bond.").signer(),
    InstructionAccount::writable("server", "The operator's Server; holds the bond.").pda(
        &Server::TYPE,
        &[("operator", SeedValue::Account("operator"))],
    ),
    InstructionAccount::system_program(),
];

/// The operator is `server.operator`, a wallet the System program debits: never the server itself
/// (a program-owned account cannot be debited by the System program).
pub struct DepositBondAccounts<'a> {
    pub operator: &'a mut AccountView,
    pub server: &'a mut AccountView,
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for DepositBondAccounts<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        let [operator, server, system_program] = exact_accounts::<{ ACCOUNTS.len() }>(accounts)?;

        // 1. Signers (with the operator's writability).
        check_writable_signer(operator)?;

        // 2. Writability.
        check_writable(server)?;

        // 3. Owners and programs.
        check_owner(server, program_id)?;
        check_system_program(system_program)?;

        // 4. Discriminators and 5. relations.
        // SAFETY: read-only view, dropped before the processor borrows the data mutably.
        let loaded = Server::load(unsafe { server.borrow_unchecked() })?;
        if !eq32(loaded.operator(), operator.address().as_array()) {
            return Err(ChainferenceError::OperatorMismatch.into());
        }

        Ok(Self { operator, server })
    }
}
