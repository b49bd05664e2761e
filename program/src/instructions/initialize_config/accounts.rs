use pinocchio::{error::ProgramError, AccountView, Address};

use crate::{
    checks::{
        check_address, check_readonly, check_system_program, check_writable, check_writable_signer,
        eq32, exact_accounts,
    },
    constants::{BPF_LOADER_UPGRADEABLE, FEE_VAULT_SHARDS},
    errors::ChainferenceError,
    idl::{AccountDefault, InstructionAccount, RemainingAccounts},
    pda::find_pda,
    state::{Config, FeeVault},
};

/// The accounts, in order (`crate::idl`: the IDL, the generated client and the generated negative
/// tests come from this list).
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::writable("admin", "Pays rent, becomes `config.admin`.").signer(),
    InstructionAccount::writable("config", "PDA `[\"config\"]`, not initialized.")
        .pda(&Config::TYPE, &[]),
    InstructionAccount {
        default: AccountDefault::ProgramData,
        ..InstructionAccount::readonly(
            "program_data",
            "This program's ProgramData (upgradeable loader); its upgrade authority must be `admin`.",
        )
    },
    InstructionAccount::system_program(),
];

/// ProgramData of the upgradeable loader: `u32` tag 3, `u64` slot, `Option<Address>` authority
/// (a flag byte, then 32 bytes), then the program's bytes.
const PROGRAM_DATA_TAG: [u8; 4] = 3u32.to_le_bytes();
const PROGRAM_DATA_AUTHORITY_FLAG: usize = 12;
const PROGRAM_DATA_AUTHORITY: usize = 13;
const PROGRAM_DATA_HEADER_LEN: usize = 45;

/// Then every fee vault, in shard order.
pub const FEE_VAULTS: RemainingAccounts = RemainingAccounts {
    name: "fee_vaults",
    min: FEE_VAULT_SHARDS,
    max: FEE_VAULT_SHARDS,
    writable: true,
    docs: "Fee vault PDAs `[\"fee_vault\", [shard]]`, in shard order.",
};

pub struct InitializeConfigAccounts<'a> {
    pub admin: &'a mut AccountView,
    pub config: &'a mut AccountView,
    pub fee_vaults: &'a mut [AccountView],
    /// Canonical bump of the config PDA.
    pub config_bump: u8,
    /// Canonical bump of every fee vault PDA, by shard.
    pub vault_bumps: [u8; FEE_VAULT_SHARDS],
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for InitializeConfigAccounts<'a> {
    type Error = ProgramError;

    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        let [admin, config, program_data, system_program, fee_vaults @ ..] =
            exact_accounts::<{ ACCOUNTS.len() + FEE_VAULT_SHARDS }>(accounts)?;

        // 1. Signers (a writable signer's two flags in one check).
        check_writable_signer(admin)?;

        // 2. Writability.
        check_writable(config)?;
        for vault in fee_vaults.iter() {
            check_writable(vault)?;
        }
        check_readonly(program_data)?;

        // 3. Programs.
        check_system_program(system_program)?;

        // 4. The admin is this program's upgrade authority: whoever can replace the program anyway,
        //    so nobody can front-run the first initialization. ProgramData is the loader's PDA
        //    `[program id]`, owned by the loader, tag 3; an immutable program (no authority) or another
        //    authority is `NotUpgradeAuthority`.
        if !program_data.owned_by(&BPF_LOADER_UPGRADEABLE) {
            return Err(ChainferenceError::InvalidProgramData.into());
        }
        let (expected, _) = find_pda(program_id.as_ref(), &[], &BPF_LOADER_UPGRADEABLE)
            .map_err(|_| ChainferenceError::InvalidProgramData)?;
        if !eq32(program_data.address().as_array(), expected.as_array()) {
            return Err(ChainferenceError::InvalidProgramData.into());
        }
        // SAFETY: read-only view; nothing in this instruction writes the ProgramData account.
        let header = unsafe { program_data.borrow_unchecked() };
        if header.len() < PROGRAM_DATA_HEADER_LEN || header[..4] != PROGRAM_DATA_TAG {
            return Err(ChainferenceError::InvalidProgramData.into());
        }
        let authority: &[u8; 32] = header[PROGRAM_DATA_AUTHORITY..PROGRAM_DATA_HEADER_LEN]
            .try_into()
            .map_err(|_| ChainferenceError::InvalidProgramData)?;
        if header[PROGRAM_DATA_AUTHORITY_FLAG] != 1 || !eq32(authority, admin.address().as_array())
        {
            return Err(ChainferenceError::NotUpgradeAuthority.into());
        }

        // 5. Not initialized yet (a pre-funded, still system-owned address is fine).
        if !config.is_data_empty() || config.owned_by(program_id) {
            return Err(ChainferenceError::AlreadyInitialized.into());
        }

        // 6. PDAs, canonical bumps.
        let (expected, config_bump) = find_pda(Config::PREFIX, &[], program_id)?;
        check_address(config, &expected)?;
        let mut vault_bumps = [0u8; FEE_VAULT_SHARDS];
        for (shard, vault) in fee_vaults.iter().enumerate() {
            let (expected, bump) = find_pda(FeeVault::PREFIX, &[shard as u8], program_id)?;
            check_address(vault, &expected)?;
            vault_bumps[shard] = bump;
        }

        Ok(Self {
            admin,
            config,
            fee_vaults,
            config_bump,
            vault_bumps,
        })
    }
}
