//! Program-derived addresses: finding the canonical bump, and creating a PDA account through the
//! System program (`CreateAccount`, or `Transfer` + `Allocate` + `Assign` when pre-funded).
//! See the SBPF codegen limits in [`crate::checks`].

use pinocchio::{
    cpi::{Seed, Signer},
    error::ProgramError,
    AccountView, Address, ProgramResult,
};
use pinocchio_system::instructions::{Allocate, Assign, CreateAccount, Transfer};

use crate::{checks::fail, errors::ChainferenceError, math};

/// Canonical PDA and bump (`find_program_address`) for the seeds `[prefix]` (when `seed` is
/// empty) or `[prefix, seed]`. Cold, one-time instructions only: hot paths take the bump in
/// instruction data (see `docs/protocol.md` § PDAs).
///
/// The seed list is assembled out of line, on the stack, on purpose: a caller-side `&[PREFIX]` of
/// constants is promoted to a `.rodata` static, which sbpf-linker places unaligned and without
/// relocating the pointers inside it (the syscall fails with "Unaligned pointer").
#[inline(always)]
pub fn find_pda(
    prefix: &[u8],
    seed: &[u8],
    program_id: &Address,
) -> Result<(Address, u8), ProgramError> {
    find_pda_packed(&PdaQuery {
        prefix,
        seed,
        program_id,
    })
}

/// Arguments of [`find_pda`] in one struct (SBPF: ≤ 5 register arguments, the result pointer
/// included). `program_id` is a runtime pointer, so this can never be folded into a constant.
struct PdaQuery<'a> {
    prefix: &'a [u8],
    seed: &'a [u8],
    program_id: &'a Address,
}

#[inline(never)]
fn find_pda_packed(query: &PdaQuery) -> Result<(Address, u8), ProgramError> {
    let seeds = [query.prefix, query.seed];
    let seeds = if query.seed.is_empty() {
        &seeds[..1]
    } else {
        &seeds[..]
    };
    #[cfg(any(target_os = "solana", target_arch = "bpf"))]
    {
        Address::try_find_program_address(seeds, query.program_id)
            .ok_or_else(|| fail(ChainferenceError::InvalidPda))
    }
    #[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
    {
        // The host build has no curve25519 backend; instruction processing only runs on-chain.
        let _ = (seeds, query.program_id);
        Err(fail(ChainferenceError::InvalidPda))
    }
}

/// Creates the program-owned PDA `account` with `space` bytes holding exactly `lamports`
/// (at least: an address that already held more keeps it), paid by `payer` (a system-owned signer).
///
/// Griefing-safe: when someone pre-funded the address (so `CreateAccount` would fail), it transfers
/// the shortfall, then `Allocate` + `Assign`, all signed with the PDA seeds. An address that
/// already has data or a non-system owner is `AlreadyInitialized`.
///
/// (SBPF passes at most 5 arguments in registers and has no stack arguments, so this wrapper packs
/// its 6 parameters, 8 registers' worth, into one struct for the out-of-line body.)
#[inline(always)]
pub fn create_pda_account(
    payer: &AccountView,
    account: &AccountView,
    space: usize,
    lamports: u64,
    owner: &Address,
    signer_seeds: &[Seed],
) -> ProgramResult {
    create_pda_account_packed(&CreatePda {
        payer,
        account,
        space,
        lamports,
        owner,
        signer_seeds,
    })
}

struct CreatePda<'a, 'b, 'c> {
    payer: &'a AccountView,
    account: &'a AccountView,
    space: usize,
    lamports: u64,
    owner: &'a Address,
    signer_seeds: &'c [Seed<'b>],
}

#[inline(never)]
fn create_pda_account_packed(args: &CreatePda) -> ProgramResult {
    let signer = [Signer::from(args.signer_seeds)];
    let account = args.account;
    let current = account.lamports();
    if current == 0 {
        return CreateAccount {
            from: args.payer,
            to: account,
            lamports: args.lamports,
            space: args.space as u64,
            owner: args.owner,
        }
        .invoke_signed(&signer);
    }
    if account.data_len() != 0 || !account.owned_by(&pinocchio_system::ID) {
        return Err(fail(ChainferenceError::AlreadyInitialized));
    }
    if current < args.lamports {
        Transfer {
            from: args.payer,
            to: account,
            lamports: math::sub_u64(args.lamports, current)?,
        }
        .invoke()?;
    }
    Allocate {
        account,
        space: args.space as u64,
    }
    .invoke_signed(&signer)?;
    Assign {
        account,
        owner: args.owner,
    }
    .invoke_signed(&signer)
}
