use pinocchio::{error::ProgramError, AccountView, Address};

use crate::{
    checks::{
        check_owner, check_readonly, check_writable, check_writable_signer, eq32, exact_accounts,
    },
    errors::ChainferenceError,
    idl::{InstructionAccount, SeedValue},
    state::{Config, Server},
};

/// The accounts, in order (`crate::idl`).
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::writable("operator", "`server.operator`; receives the lamports.").signer(),
    InstructionAccount::writable("server", "The operator's Server; its bond shrinks.").pda(
        &Server::TYPE,
        &[("operator", SeedValue::Account("operator"))],
    ),
    InstructionAccount::readonly("config", "Bond cooldown.").pda(&Config::TYPE, &[]),
];

/// Server and config carry different discriminators, so they are distinct; the operator is a
/// wallet named by the server, never the server itself (a Server's `operator` is a signer at
/// registration, which a PDA cannot be).
pub struct WithdrawBondAccounts<'a> {
    pub operator: &'a mut AccountView,
    pub server: &'a mut AccountView,
    pub config: &'a AccountView,
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for WithdrawBondAccounts<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        let [operator, server, config] = exact_accounts::<{ ACCOUNTS.len() }>(accounts)?;

        // 1. Signers (with the operator's writability).
        check_writable_signer(operator)?;

        // 2. Writability.
        check_writable(server)?;

        // 3. Owners (and the config, which is only read, read-only).
        check_owner(server, program_id)?;
        check_readonly(config)?;
        check_owner(config, program_id)?;

        // 4. Discriminators and 5. relations.
        // SAFETY: read-only views, dropped before the processor borrows the server mutably.
        let loaded = Server::load(unsafe { server.borrow_unchecked() })?;
        // SAFETY: as above; the config is never written here.
        Config::load(unsafe { config.borrow_unchecked() })?;
        if !eq32(loaded.operator(), operator.address().as_array()) {
            return Err(ChainferenceError::OperatorMismatch.into());
        }

        Ok(Self {
            operator,
            server,
            config,
        })
    }
}
