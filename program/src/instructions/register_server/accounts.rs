use pinocchio::{error::ProgramError, AccountView, Address};

use crate::{
    checks::{check_address, check_signer, check_system_program, check_writable, find_pda},
    errors::ChainferenceError,
    state::Server,
};

/// | # | account | flags | |
/// | --- | --- | --- | --- |
/// | 0 | operator | w, s | pays rent, becomes `server.operator` |
/// | 1 | server | w | PDA `["server", operator]`, not initialized |
/// | 2 | system_program | | |
pub struct RegisterServerAccounts<'a> {
    pub operator: &'a mut AccountView,
    pub server: &'a mut AccountView,
    /// Canonical bump of the server PDA.
    pub bump: u8,
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for RegisterServerAccounts<'a> {
    type Error = ProgramError;

    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        let [operator, server, system_program, ..] = accounts else {
            return Err(ChainferenceError::NotEnoughAccounts.into());
        };

        // 1. Signers.
        check_signer(operator)?;

        // 2. Writability.
        check_writable(operator)?;
        check_writable(server)?;

        // 3. Programs.
        check_system_program(system_program)?;

        // 4. Not registered yet (a pre-funded, still system-owned address is fine).
        if !server.is_data_empty() || server.owned_by(program_id) {
            return Err(ChainferenceError::AlreadyInitialized.into());
        }

        // 5. PDA, canonical bump.
        let (expected, bump) = find_pda(Server::PREFIX, operator.address().as_ref(), program_id)?;
        check_address(server, &expected)?;

        Ok(Self {
            operator,
            server,
            bump,
        })
    }
}
