use pinocchio::{error::ProgramError, AccountView, Address};

use crate::{
    checks::{check_owner, check_writable, check_writable_signer, eq32, exact_accounts},
    errors::ChainferenceError,
    idl::{InstructionAccount, SeedValue},
    lifecycle::check_lock_holder,
    state::{FeeVault, Request, Response, Server},
};

/// The accounts, in order (`crate::idl`: the IDL, the generated client and the generated negative
/// tests come from this list).
pub const ACCOUNTS: &[InstructionAccount] = &[
    InstructionAccount::writable("operator", "`server.operator`; receives `cost − fee`.").signer(),
    InstructionAccount::writable("server", "The Server that locked the request (counters).").pda(
        &Server::TYPE,
        &[("operator", SeedValue::Account("operator"))],
    ),
    InstructionAccount::writable(
        "request",
        "The Request, Locked by `server`; closes to the client.",
    ),
    InstructionAccount::writable("response", "The request's final Response.").pda(
        &Response::TYPE,
        &[("request", SeedValue::Account("request"))],
    ),
    InstructionAccount::writable(
        "client",
        "`request.client`; receives `stake − cost` and the request's rent.",
    ),
    InstructionAccount::writable(
        "fee_vault",
        "Fee vault shard `request.fee_shard`; receives the fee.",
    ),
];

/// Server, request, response and fee vault carry different discriminators, so they are distinct
/// accounts. Operator and client are wallets and may be the same account (a server answering its
/// own operator): every lamport move re-reads the balance, so that stays exact.
pub struct CompleteRequestAccounts<'a> {
    pub operator: &'a mut AccountView,
    pub server: &'a mut AccountView,
    pub request: &'a mut AccountView,
    pub response: &'a mut AccountView,
    pub client: &'a mut AccountView,
    pub fee_vault: &'a mut AccountView,
}

impl<'a> TryFrom<(&'a Address, &'a mut [AccountView])> for CompleteRequestAccounts<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(
        (program_id, accounts): (&'a Address, &'a mut [AccountView]),
    ) -> Result<Self, Self::Error> {
        let [operator, server, request, response, client, fee_vault] =
            exact_accounts::<{ ACCOUNTS.len() }>(accounts)?;

        // 1. Signers (a writable signer's two flags in one check).
        check_writable_signer(operator)?;

        // 2. Writability.
        check_writable(server)?;
        check_writable(request)?;
        check_writable(response)?;
        check_writable(client)?;
        check_writable(fee_vault)?;

        // 3. Owners.
        check_owner(server, program_id)?;
        check_owner(request, program_id)?;
        check_owner(response, program_id)?;
        check_owner(fee_vault, program_id)?;

        // 4. Discriminators (short-lived shared views).
        // SAFETY: read-only views; the processor borrows mutably only after they are dropped.
        let loaded_server = Server::load(unsafe { server.borrow_unchecked() })?;
        // SAFETY: as above.
        let loaded_request = Request::load(unsafe { request.borrow_unchecked() })?;
        // SAFETY: as above.
        let loaded_response = Response::load(unsafe { response.borrow_unchecked() })?;
        // SAFETY: as above.
        let loaded_vault = FeeVault::load(unsafe { fee_vault.borrow_unchecked() })?;

        // 5. Relations.
        check_lock_holder(
            loaded_server,
            server.address(),
            loaded_request,
            operator.address(),
        )?;
        // The response must be this request's own: `has_response` is set only by the first
        // `append_response` of this request. A response left at the same address by an earlier
        // request with the same (client, nonce) also names this request address, but is not it.
        if !loaded_request.has_response()
            || !eq32(loaded_response.request(), request.address().as_array())
        {
            return Err(ChainferenceError::ResponseMismatch.into());
        }
        if !eq32(loaded_request.client(), client.address().as_array()) {
            return Err(ChainferenceError::ClientMismatch.into());
        }
        if loaded_vault.shard() != loaded_request.fee_shard() {
            return Err(ChainferenceError::FeeVaultMismatch.into());
        }

        Ok(Self {
            operator,
            server,
            request,
            response,
            client,
            fee_vault,
        })
    }
}
