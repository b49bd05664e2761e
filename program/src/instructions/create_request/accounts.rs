use pinocchio::{error::ProgramError, AccountView, Address};

use crate::state::Request;

use crate::{
    checks::{
        check_owner, check_readonly, check_system_program, check_writable, check_writable_signer,
        exact_accounts,
    },
    errors::ChainferenceError,
    idl::{InstructionAccount, SeedValue},
    state::Config,
};

/// The accounts, in order (`crate::idl`: the IDL, the generated client and the generated negative
/// tests come from this list).
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::writable("client", "Pays rent + stake, becomes `request.client`.").signer(),
    InstructionAccount::writable(
        "request",
        "PDA `[\"request\", client, nonce]`, not initialized (pre-funded is fine).",
    )
    .pda(
        &Request::TYPE,
        &[
            ("client", SeedValue::Account("client")),
            ("nonce", SeedValue::Arg("nonce")),
        ],
    ),
    InstructionAccount::readonly("config", "").pda(&Config::TYPE, &[]),
    InstructionAccount::system_program(),
];

pub struct CreateRequestAccounts<'a> {
    pub client: &'a mut AccountView,
    pub request: &'a mut AccountView,
    pub config: &'a AccountView,
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for CreateRequestAccounts<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        let [client, request, config, system_program] =
            exact_accounts::<{ ACCOUNTS.len() }>(accounts)?;

        // 1. Signers (a writable signer's two flags in one check).
        //    The request is a PDA: it can never sign a transaction, so a signing
        //    "request" is a keypair account posing as one (the System CPI would accept its own
        //    signature instead of our seeds). Rejecting it makes `invoke_signed` prove the address.
        check_writable_signer(client)?;
        // An executable client could never take its refund back (the runtime refuses to credit
        // an executable account), so its request would trap the stake and the locking server.
        if client.executable() {
            return Err(ChainferenceError::ExecutableClient.into());
        }
        if request.is_signer() {
            return Err(ChainferenceError::InvalidPda.into());
        }

        // 2. Writability.
        check_writable(request)?;
        check_readonly(config)?;

        // 3. Owners and programs.
        check_owner(config, program_id)?;
        check_system_program(system_program)?;

        // 4. Discriminators; the request is not initialized yet.
        // SAFETY: read-only view; no mutable reference to the config data exists.
        Config::load(unsafe { config.borrow_unchecked() })?;
        if !request.is_data_empty() || request.owned_by(program_id) {
            return Err(ChainferenceError::AlreadyInitialized.into());
        }

        // 5. Relations: the PDA address is proven by `invoke_signed` in the processor (the bump is
        //    in the instruction data; the runtime re-derives it).

        Ok(Self {
            client,
            request,
            config,
        })
    }
}
