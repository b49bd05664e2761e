use pinocchio::{error::ProgramError, AccountView, Address};

use crate::{
    checks::{check_owner, check_signer, check_writable, eq32, exact_accounts},
    errors::ChainferenceError,
    idl::InstructionAccount,
    state::Config,
};

/// The accounts, in order (`crate::idl`: the IDL, the generated client and the generated negative
/// tests come from this list).
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::readonly("admin", "Must be `config.admin`.").signer(),
    InstructionAccount::writable("config", "").pda(&Config::TYPE, &[]),
];

pub struct UpdateConfigAccounts<'a> {
    pub admin: &'a AccountView,
    pub config: &'a mut Config,
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for UpdateConfigAccounts<'a> {
    type Error = ProgramError;

    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        let [admin, config] = exact_accounts::<{ ACCOUNTS.len() }>(accounts)?;

        // 1. Signers.
        check_signer(admin)?;

        // 2. Writability.
        check_writable(config)?;

        // 3. Owners and layout.
        check_owner(config, program_id)?;
        // SAFETY: the only reference to the config data in this instruction.
        let config = Config::load_mut(unsafe { config.borrow_unchecked_mut() })?;

        // 4. Relations.
        if !eq32(config.admin(), admin.address().as_array()) {
            return Err(ChainferenceError::Unauthorized.into());
        }

        Ok(Self { admin, config })
    }
}
