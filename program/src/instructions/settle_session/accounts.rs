use pinocchio::{error::ProgramError, AccountView, Address};

use crate::{
    checks::{check_owner, check_writable, check_writable_signer, eq32, exact_accounts},
    errors::ChainferenceError,
    idl::{InstructionAccount, SeedValue},
    state::{FeeVault, Server, Session},
    voucher::check_instructions_sysvar,
};

/// The accounts, in order (`crate::idl`).
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::writable("operator", "`session.operator`; receives `delta − fee`.")
        .signer(),
    InstructionAccount::writable("server", "`session.server` (reputation counters).").pda(
        &Server::TYPE,
        &[("operator", SeedValue::Account("operator"))],
    ),
    InstructionAccount::writable(
        "session",
        "An Open or Closing Session before its settle deadline.",
    ),
    InstructionAccount::writable(
        "fee_vault",
        "Fee vault shard `session.fee_shard`; receives the fee.",
    ),
    InstructionAccount::instructions_sysvar(),
];

/// Server, session and fee vault carry different discriminators, so they are distinct accounts;
/// the operator is a signer (never a PDA) and the Instructions sysvar is checked by address.
pub struct SettleSessionAccounts<'a> {
    pub operator: &'a mut AccountView,
    pub server: &'a mut AccountView,
    pub session: &'a mut AccountView,
    pub fee_vault: &'a mut AccountView,
    pub instructions_sysvar: &'a AccountView,
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for SettleSessionAccounts<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        let [operator, server, session, fee_vault, instructions_sysvar] =
            exact_accounts::<{ ACCOUNTS.len() }>(accounts)?;

        // 1. Signers (with the operator's writability).
        check_writable_signer(operator)?;

        // 2. Writability (a sysvar always arrives read-only: the runtime demotes it).
        check_writable(server)?;
        check_writable(session)?;
        check_writable(fee_vault)?;

        // 3. Owners and the sysvar.
        check_owner(server, program_id)?;
        check_owner(session, program_id)?;
        check_owner(fee_vault, program_id)?;
        check_instructions_sysvar(instructions_sysvar)?;

        // 4. Discriminators (short-lived shared views).
        // SAFETY: read-only views; the processor borrows mutably only after they are dropped.
        Server::load(unsafe { server.borrow_unchecked() })?;
        // SAFETY: as above.
        let loaded = Session::load(unsafe { session.borrow_unchecked() })?;
        // SAFETY: as above.
        let vault = FeeVault::load(unsafe { fee_vault.borrow_unchecked() })?;

        // 5. Relations. `session.operator` was the server's operator at open, and a Server's
        //    operator never changes (it is its PDA seed).
        if !eq32(loaded.server(), server.address().as_array()) {
            return Err(ChainferenceError::ServerMismatch.into());
        }
        if !eq32(loaded.operator(), operator.address().as_array()) {
            return Err(ChainferenceError::OperatorMismatch.into());
        }
        if vault.shard() != loaded.fee_shard() {
            return Err(ChainferenceError::FeeVaultMismatch.into());
        }

        Ok(Self {
            operator,
            server,
            session,
            fee_vault,
            instructions_sysvar,
        })
    }
}
