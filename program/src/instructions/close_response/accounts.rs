use pinocchio::{error::ProgramError, AccountView, Address};

use crate::{
    checks::{check_owner, check_readonly, check_signer, check_writable, eq32, exact_accounts},
    errors::ChainferenceError,
    idl::InstructionAccount,
    state::{Config, Response},
};

/// The accounts, in order (`crate::idl`: the IDL, the generated client and the generated negative
/// tests come from this list).
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::readonly(
        "caller",
        "The client (any time), or anyone after the grace period.",
    )
    .signer(),
    InstructionAccount::writable("response", "A completed Response; closes."),
    InstructionAccount::writable("operator", "`response.operator`; receives every lamport."),
    InstructionAccount::readonly("config", "`close_grace_slots`.").pda(&Config::TYPE, &[]),
];

pub struct CloseResponseAccounts<'a> {
    pub caller: &'a AccountView,
    pub response: &'a mut AccountView,
    pub operator: &'a mut AccountView,
    pub config: &'a AccountView,
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for CloseResponseAccounts<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        let [caller, response, operator, config] = exact_accounts::<{ ACCOUNTS.len() }>(accounts)?;

        // 1. Signers.
        check_signer(caller)?;

        // 2. Writability (the config is only read: read-only).
        check_readonly(config)?;
        check_writable(response)?;
        check_writable(operator)?;

        // 3. Owners.
        check_owner(response, program_id)?;
        check_owner(config, program_id)?;

        // 4. Discriminators.
        // SAFETY: read-only views, dropped before the response closes.
        let loaded = Response::load(unsafe { response.borrow_unchecked() })?;
        // SAFETY: as above; the config is never written here.
        Config::load(unsafe { config.borrow_unchecked() })?;

        // 5. Relations (the operator is a wallet, never the response itself).
        if !eq32(loaded.operator(), operator.address().as_array()) {
            return Err(ChainferenceError::OperatorMismatch.into());
        }

        Ok(Self {
            caller,
            response,
            operator,
            config,
        })
    }
}
