use pinocchio::{error::ProgramError, AccountView, Address};

use crate::state::Server;

use crate::{
    checks::{check_system_program, check_writable, check_writable_signer, exact_accounts},
    errors::ChainferenceError,
    idl::{InstructionAccount, SeedValue},
};

/// The accounts, in order (`crate::idl`: the IDL, the generated client and the generated negative
/// tests come from this list).
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::writable("operator", "Pays rent, becomes `server.operator`.").signer(),
    InstructionAccount::writable(
        "server",
        "PDA `[\"server\", operator, [bump]]`, not initialized (pre-funded is fine).",
    )
    .pda(
        &Server::TYPE,
        &[("operator", SeedValue::Account("operator"))],
    ),
    InstructionAccount::system_program(),
];

pub struct RegisterServerAccounts<'a> {
    pub operator: &'a mut AccountView,
    pub server: &'a mut AccountView,
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for RegisterServerAccounts<'a> {
    type Error = ProgramError;

    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        let [operator, server, system_program] = exact_accounts::<{ ACCOUNTS.len() }>(accounts)?;

        // 1. Signers (a writable signer's two flags in one check).
        //    The server is a PDA: it can never sign a transaction, so a signing "server"
        //    is a keypair account posing as one (the System CPI would accept its own signature
        //    instead of our seeds). Rejecting it makes `invoke_signed` prove the address.
        check_writable_signer(operator)?;
        if server.is_signer() {
            return Err(ChainferenceError::InvalidPda.into());
        }

        // 2. Writability.
        check_writable(server)?;

        // 3. Programs.
        check_system_program(system_program)?;

        // 4. Not registered yet (a pre-funded, still system-owned address is fine).
        if !server.is_data_empty() || server.owned_by(program_id) {
            return Err(ChainferenceError::AlreadyInitialized.into());
        }

        // 5. Relations: the PDA address is proven by `invoke_signed` in the processor (the bump is
        //    in the instruction data; the runtime re-derives `["server", operator, [bump]]`).

        Ok(Self { operator, server })
    }
}
