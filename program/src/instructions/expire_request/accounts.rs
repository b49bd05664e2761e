use pinocchio::{error::ProgramError, AccountView, Address};

use crate::{
    checks::{check_owner, check_readonly, check_writable, eq32, exact_accounts, is_absent},
    errors::ChainferenceError,
    idl::InstructionAccount,
    state::{Config, Request, Response, Server},
};

/// The accounts, in order (`crate::idl`: the IDL, the generated client and the generated negative
/// tests come from this list).
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::writable(
        "request",
        "An Open or Locked Request; closes to the client.",
    ),
    InstructionAccount::writable(
        "client",
        "`request.client`; receives every lamport of the request (and, Locked, the abandon penalty).",
    ),
    InstructionAccount::readonly("config", "Abandon penalty.").pda(&Config::TYPE, &[]),
    InstructionAccount::writable(
        "server",
        "Locked requests only: the Server at `request.locked_by`.",
    )
    .optional(),
    InstructionAccount::writable(
        "response",
        "Locked requests with a partial response only: the request's Response.",
    )
    .optional(),
    InstructionAccount::writable(
        "operator",
        "With a response only: `response.operator`, which receives its rent.",
    )
    .optional(),
];

/// Optional accounts are passed as the program id when absent. The ones the request's state does
/// not need are ignored; the ones it needs are `MissingAccount` when absent. Request, server and
/// response carry different discriminators, so they are distinct accounts (the config, read-only
/// and a Config, is distinct from all three); client and operator are wallets and may coincide
/// (every lamport move re-reads the balance).
pub struct ExpireRequestAccounts<'a> {
    pub request: &'a mut AccountView,
    pub client: &'a mut AccountView,
    pub config: &'a AccountView,
    /// `Some` iff the request is Locked.
    pub server: Option<&'a mut AccountView>,
    /// `Some((response, operator))` iff the request is Locked and has a response.
    pub response: Option<(&'a mut AccountView, &'a mut AccountView)>,
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for ExpireRequestAccounts<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        let [request, client, config, server, response, operator] =
            exact_accounts::<{ ACCOUNTS.len() }>(accounts)?;

        // 1. Signers: none (anyone may expire).

        // 2. Writability (required accounts).
        check_writable(request)?;
        check_writable(client)?;

        // 3. Owners (and the config, which is only read, read-only).
        check_owner(request, program_id)?;
        check_readonly(config)?;
        check_owner(config, program_id)?;

        // 4. Discriminators.
        // SAFETY: read-only view, dropped before the processor writes or closes anything.
        let loaded = Request::load(unsafe { request.borrow_unchecked() })?;
        // SAFETY: as above; the config is never written here.
        Config::load(unsafe { config.borrow_unchecked() })?;

        // 5. Relations.
        if !eq32(loaded.client(), client.address().as_array()) {
            return Err(ChainferenceError::ClientMismatch.into());
        }
        // The byte tests rather than `Request::status()`: the same outcome, 48 bytes less code.
        if loaded.is_open() {
            return Ok(Self {
                request,
                client,
                config,
                server: None,
                response: None,
            });
        }
        if !loaded.is_locked() {
            // Only Open and Locked are ever stored; anything else is corrupt.
            return Err(ChainferenceError::InvalidRequestStatus.into());
        }

        // Locked: the server is required.
        if is_absent(server, program_id) {
            return Err(ChainferenceError::MissingAccount.into());
        }
        check_writable(server)?;
        check_owner(server, program_id)?;
        // SAFETY: read-only view, dropped before the processor writes the server.
        Server::load(unsafe { server.borrow_unchecked() })?;
        if !eq32(loaded.locked_by(), server.address().as_array()) {
            return Err(ChainferenceError::ServerMismatch.into());
        }

        if !loaded.has_response() {
            return Ok(Self {
                request,
                client,
                config,
                server: Some(server),
                response: None,
            });
        }

        // Locked with a partial response: response and operator are required.
        if is_absent(response, program_id) || is_absent(operator, program_id) {
            return Err(ChainferenceError::MissingAccount.into());
        }
        check_writable(response)?;
        check_writable(operator)?;
        check_owner(response, program_id)?;
        // SAFETY: read-only view, dropped before the response closes.
        let loaded_response = Response::load(unsafe { response.borrow_unchecked() })?;
        if !eq32(loaded_response.request(), request.address().as_array()) {
            return Err(ChainferenceError::ResponseMismatch.into());
        }
        if !eq32(loaded_response.operator(), operator.address().as_array()) {
            return Err(ChainferenceError::OperatorMismatch.into());
        }

        Ok(Self {
            request,
            client,
            config,
            server: Some(server),
            response: Some((response, operator)),
        })
    }
}
