use pinocchio::{error::ProgramError, AccountView, Address};

use crate::{
    checks::{check_owner, check_readonly, check_signer, check_writable, eq32, exact_accounts},
    errors::ChainferenceError,
    idl::{InstructionAccount, SeedValue},
    state::{Config, Request, Server},
};

/// The accounts, in order (`crate::idl`: the IDL, the generated client and the generated negative
/// tests come from this list).
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::readonly("operator", "`server.operator`.").signer(),
    InstructionAccount::writable(
        "server",
        "The operator's Server (its `active_locks` grows).",
    )
    .pda(
        &Server::TYPE,
        &[("operator", SeedValue::Account("operator"))],
    ),
    InstructionAccount::writable("request", "An Open, sealed Request."),
    InstructionAccount::readonly("config", "Pause flag.").pda(&Config::TYPE, &[]),
];

/// Server, request and config carry different discriminators, so they are distinct accounts.
pub struct LockRequestAccounts<'a> {
    pub operator: &'a AccountView,
    pub server: &'a mut AccountView,
    pub request: &'a mut AccountView,
    pub config: &'a AccountView,
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for LockRequestAccounts<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        let [operator, server, request, config] = exact_accounts::<{ ACCOUNTS.len() }>(accounts)?;

        // 1. Signers.
        check_signer(operator)?;

        // 2. Writability.
        check_writable(server)?;
        check_writable(request)?;

        // 3. Owners (and the config, which is only read, read-only).
        check_owner(server, program_id)?;
        check_owner(request, program_id)?;
        check_readonly(config)?;
        check_owner(config, program_id)?;

        // 4. Discriminators (short-lived shared views).
        // SAFETY: read-only views; the processor borrows mutably only after they are dropped.
        let loaded_server = Server::load(unsafe { server.borrow_unchecked() })?;
        // SAFETY: as above.
        Request::load(unsafe { request.borrow_unchecked() })?;
        // SAFETY: as above; the config is never written here.
        Config::load(unsafe { config.borrow_unchecked() })?;

        // 5. Relations.
        if !eq32(loaded_server.operator(), operator.address().as_array()) {
            return Err(ChainferenceError::OperatorMismatch.into());
        }

        Ok(Self {
            operator,
            server,
            request,
            config,
        })
    }
}
