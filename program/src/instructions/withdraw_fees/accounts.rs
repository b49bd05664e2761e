use pinocchio::{error::ProgramError, AccountView, Address};

use crate::{
    checks::{
        account_count_error, check_owner, check_readonly, check_signer, check_writable, eq32,
    },
    constants::FEE_VAULT_SHARDS,
    errors::ChainferenceError,
    idl::{InstructionAccount, RemainingAccounts},
    state::{Config, FeeVault},
};

/// The accounts, in order (`crate::idl`: the IDL, the generated client and the generated negative
/// tests come from this list).
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::readonly("admin", "`config.admin`.").signer(),
    InstructionAccount::readonly("config", "").pda(&Config::TYPE, &[]),
    InstructionAccount::writable("treasury", "`config.treasury`."),
];

/// Then the fee vaults to sweep: at least one, at most one per shard, in any order (a vault passed
/// twice is swept once: the second time holds nothing above its rent).
pub const FEE_VAULTS: RemainingAccounts = RemainingAccounts {
    name: "fee_vaults",
    min: 1,
    max: FEE_VAULT_SHARDS,
    writable: true,
    docs: "Fee vault PDAs `[\"fee_vault\", [shard]]` to sweep (1 to 16, any order).",
};

/// Shortest and longest account lists.
const MIN_LEN: usize = ACCOUNTS.len() + FEE_VAULTS.min;
const MAX_LEN: usize = ACCOUNTS.len() + FEE_VAULTS.max;

pub struct WithdrawFeesAccounts<'a> {
    pub treasury: &'a mut AccountView,
    pub fee_vaults: &'a mut [AccountView],
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for WithdrawFeesAccounts<'a> {
    type Error = ProgramError;

    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        // 0. Shape: the named accounts, then 1 to 16 fee vaults.
        let len = accounts.len();
        let [admin, config, treasury, fee_vaults @ ..] = accounts else {
            return Err(ChainferenceError::NotEnoughAccounts.into());
        };
        if len < MIN_LEN {
            return Err(account_count_error(len, MIN_LEN));
        }
        if len > MAX_LEN {
            return Err(account_count_error(len, MAX_LEN));
        }

        // 1. Signers.
        check_signer(admin)?;

        // 2. Writability (the config is only read: read-only).
        check_readonly(config)?;
        check_writable(treasury)?;
        for vault in fee_vaults.iter() {
            check_writable(vault)?;
        }

        // 3. Owners and layouts.
        check_owner(config, program_id)?;
        for vault in fee_vaults.iter() {
            check_owner(vault, program_id)?;
            // SAFETY: short-lived shared view of vault data; nothing mutates it here.
            FeeVault::load(unsafe { vault.borrow_unchecked() })?;
        }

        // 4. Relations.
        {
            // SAFETY: short-lived shared view; config is read-only in this instruction.
            let config = Config::load(unsafe { config.borrow_unchecked() })?;
            if !eq32(config.admin(), admin.address().as_array()) {
                return Err(ChainferenceError::Unauthorized.into());
            }
            if !eq32(config.treasury(), treasury.address().as_array()) {
                return Err(ChainferenceError::TreasuryMismatch.into());
            }
        }

        Ok(Self {
            treasury,
            fee_vaults,
        })
    }
}
