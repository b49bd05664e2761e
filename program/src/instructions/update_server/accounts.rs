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

/// The accounts, in order (`crate::idl`: the IDL, the generated client and the generated negative
/// tests come from this list).
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::writable(
        "operator",
        "`server.operator`; pays or receives the rent difference.",
    )
    .signer(),
    InstructionAccount::writable("server", "").pda(
        &Server::TYPE,
        &[("operator", SeedValue::Account("operator"))],
    ),
    InstructionAccount::system_program(),
];

pub struct UpdateServerAccounts<'a> {
    pub operator: &'a mut AccountView,
    pub server: &'a mut AccountView,
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for UpdateServerAccounts<'a> {
    type Error = ProgramError;

    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        let [operator, server, system_program] = exact_accounts::<{ ACCOUNTS.len() }>(accounts)?;

        // 1. Signers (a writable signer's two flags in one check).
        check_writable_signer(operator)?;

        // 2. Writability.
        check_writable(server)?;

        // 3. Programs and owners.
        check_system_program(system_program)?;
        check_owner(server, program_id)?;

        // 4. Layout and relations (the operator signs, so it cannot be the server PDA).
        {
            // SAFETY: short-lived shared view; nothing else references the server data.
            let state = Server::load(unsafe { server.borrow_unchecked() })?;
            if !eq32(state.operator(), operator.address().as_array()) {
                return Err(ChainferenceError::OperatorMismatch.into());
            }
        }

        Ok(Self { operator, server })
    }
}
