use pinocchio::{error::ProgramError, AccountView, Address};

use crate::{
    checks::{
        check_owner, check_readonly, check_system_program, check_writable, check_writable_signer,
        exact_accounts,
    },
    errors::ChainferenceError,
    idl::{InstructionAccount, SeedValue},
    state::{Config, Server, Session},
};

/// The accounts, in order (`crate::idl`: the IDL, the generated client and the generated negative
/// tests come from this list).
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::writable("client", "Pays rent + deposit, becomes `session.client`.")
        .signer(),
    InstructionAccount::writable(
        "session",
        "PDA `[\"session\", client, server, open_slot]`, not initialized (pre-funded is fine).",
    )
    .pda(
        &Session::TYPE,
        &[
            ("client", SeedValue::Account("client")),
            ("server", SeedValue::Account("server")),
            ("open_slot", SeedValue::Arg("open_slot")),
        ],
    ),
    InstructionAccount::readonly(
        "server",
        "An active Server offering the model (prices, key epoch and operator are snapshotted).",
    ),
    InstructionAccount::readonly("config", "Pause flag, fee and minimum deposit.")
        .pda(&Config::TYPE, &[]),
    InstructionAccount::system_program(),
];

/// The session is not initialized while server and config are program accounts with data, so it
/// is distinct from both; server and config carry different discriminators.
pub struct OpenSessionAccounts<'a> {
    pub client: &'a mut AccountView,
    pub session: &'a mut AccountView,
    pub server: &'a AccountView,
    pub config: &'a AccountView,
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for OpenSessionAccounts<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        let [client, session, server, config, system_program] =
            exact_accounts::<{ ACCOUNTS.len() }>(accounts)?;

        // 1. Signers (a writable signer's two flags in one check). The session is a PDA: one that
        //    signs is a keypair posing as it (`invoke_signed` must prove the address).
        check_writable_signer(client)?;
        if session.is_signer() {
            return Err(ChainferenceError::InvalidPda.into());
        }

        // 2. Writability.
        check_writable(session)?;
        check_readonly(server)?;
        check_readonly(config)?;

        // 3. Owners and programs.
        check_owner(server, program_id)?;
        check_owner(config, program_id)?;
        check_system_program(system_program)?;

        // 4. Discriminators; the session is not initialized yet (a Closed tombstone at this
        //    address is program-owned: the address cannot be opened again until it is freed).
        // SAFETY: read-only views; no mutable reference to these accounts' data exists.
        Server::load(unsafe { server.borrow_unchecked() })?;
        // SAFETY: as above.
        Config::load(unsafe { config.borrow_unchecked() })?;
        if !session.is_data_empty() || session.owned_by(program_id) {
            return Err(ChainferenceError::AlreadyInitialized.into());
        }

        // 5. Relations: the PDA address is proven by `invoke_signed` in the processor.

        Ok(Self {
            client,
            session,
            server,
            config,
        })
    }
}
