use pinocchio::{error::ProgramError, AccountView, Address};

use crate::{
    checks::{
        check_owner, check_system_program, check_writable, check_writable_signer, eq32,
        exact_accounts,
    },
    errors::ChainferenceError,
    idl::{InstructionAccount, SeedValue},
    lifecycle::check_lock_holder,
    state::{Request, Response, Server},
};

/// The accounts, in order (`crate::idl`: the IDL, the generated client and the generated negative
/// tests come from this list).
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::writable("operator", "`server.operator`; pays the response rent.").signer(),
    InstructionAccount::readonly(
        "server",
        "The Server that locked the request; only read, but accepted writable so that `lock_request` (first chunk) or `complete_request` (final chunk) can share the transaction.",
    )
    .may_be_writable()
    .pda(&Server::TYPE, &[("operator", SeedValue::Account("operator"))]),
    InstructionAccount::writable("request", "The Request, Locked by `server`."),
    InstructionAccount::writable(
        "response",
        "PDA `[\"response\", request, [request.response_bump]]`: uninitialized on the first chunk (pre-funded is fine), else the request's Response.",
    )
    .pda(&Response::TYPE, &[("request", SeedValue::Account("request"))]),
    InstructionAccount::system_program(),
];

/// Server, request and response carry different discriminators (and an uninitialized response is
/// not program-owned), so they are distinct accounts; the response cannot be the operator either
/// (it never signs).
pub struct AppendResponseAccounts<'a> {
    pub operator: &'a mut AccountView,
    pub server: &'a AccountView,
    pub request: &'a mut AccountView,
    pub response: &'a mut AccountView,
    /// `false`: this is the first chunk and the response must be created.
    pub has_response: bool,
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for AppendResponseAccounts<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        let [operator, server, request, response, system_program] =
            exact_accounts::<{ ACCOUNTS.len() }>(accounts)?;

        // 1. Signers (a writable signer's two flags in one check).
        //    The response is a PDA and never signs; a signing "response" would let the
        //    System CPI accept the account's own signature instead of our seeds.
        check_writable_signer(operator)?;
        if response.is_signer() {
            return Err(ChainferenceError::InvalidPda.into());
        }

        // 2. Writability. The server is only read, but may arrive writable: lock_request and
        //    complete_request write it and share a transaction with the first and final chunk.
        check_writable(request)?;
        check_writable(response)?;

        // 3. Owners and programs.
        check_owner(server, program_id)?;
        check_owner(request, program_id)?;
        check_system_program(system_program)?;

        // 4. Discriminators (short-lived shared views).
        // SAFETY: read-only views; the processor borrows mutably only after they are dropped.
        let loaded_server = Server::load(unsafe { server.borrow_unchecked() })?;
        // SAFETY: as above.
        let loaded_request = Request::load(unsafe { request.borrow_unchecked() })?;

        // 5. Relations.
        check_lock_holder(
            loaded_server,
            server.address(),
            loaded_request,
            operator.address(),
        )?;
        let has_response = loaded_request.has_response();
        if has_response {
            check_owner(response, program_id)?;
            // SAFETY: read-only view, dropped before the processor resizes the account.
            let loaded_response = Response::load(unsafe { response.borrow_unchecked() })?;
            if !eq32(loaded_response.request(), request.address().as_array()) {
                return Err(ChainferenceError::ResponseMismatch.into());
            }
        } else if !response.is_data_empty() || response.owned_by(program_id) {
            // The first chunk creates the response; the PDA address itself is proven by
            // `invoke_signed` with the bump the request stores (`request.response_bump`).
            return Err(ChainferenceError::AlreadyInitialized.into());
        }

        Ok(Self {
            operator,
            server,
            request,
            response,
            has_response,
        })
    }
}
