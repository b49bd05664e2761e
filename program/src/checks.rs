//! Account checks and lamport/account-lifecycle helpers shared by every instruction.
//!
//! Each check returns the matching [`ChainferenceError`]; failures are `#[cold]`.
//!
//! BPF codegen limits every out-of-line function must respect (stock LLVM 22, SBPF v0):
//! at most 5 register arguments (a slice or `&[T]` counts as 2) and no stack arguments: pack more
//! into a struct passed by reference, or `#[inline(always)]`; no u64/usize `*` under
//! `overflow-checks` (use `crate::math`, or `wrapping_mul` where a bound is proven first); and no
//! constant aggregate *containing pointers* handed to a syscall (e.g. `&[SEED_A, SEED_B]` of
//! constants: rustc promotes it to a `.rodata` static that sbpf-linker leaves unaligned and
//! unrelocated). Build seed/signer arrays from at least one runtime value (a bump byte on the
//! stack does it), as every `Seed` array here does.

use pinocchio::account::MAX_PERMITTED_DATA_INCREASE;
use pinocchio::{
    cpi::{Seed, Signer},
    error::ProgramError,
    AccountView, Address, ProgramResult,
};
use pinocchio_system::instructions::{Allocate, Assign, CreateAccount, Transfer};

use crate::{errors::ChainferenceError, math, mem};

#[cold]
#[inline(never)]
fn fail(e: ChainferenceError) -> ProgramError {
    e.into()
}

/// 32-byte equality in four u64 loads (cheaper than a byte loop or a `memcmp` call).
#[inline(always)]
pub fn eq32(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let a = a.as_ptr().cast::<u64>();
    let b = b.as_ptr().cast::<u64>();
    // SAFETY: both pointers cover 32 readable bytes; `read_unaligned` has no alignment requirement.
    unsafe {
        a.read_unaligned() == b.read_unaligned()
            && a.add(1).read_unaligned() == b.add(1).read_unaligned()
            && a.add(2).read_unaligned() == b.add(2).read_unaligned()
            && a.add(3).read_unaligned() == b.add(3).read_unaligned()
    }
}

/// Byte-slice equality without a `memcmp` libcall (short ids: hf_id, revision, quant).
#[inline(always)]
pub fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}

/// `account.address() == key`.
#[inline(always)]
pub fn is_key(account: &AccountView, key: &[u8; 32]) -> bool {
    eq32(account.address().as_array(), key)
}

/// `MissingSigner` unless the account signed.
#[inline(always)]
pub fn check_signer(account: &AccountView) -> ProgramResult {
    if account.is_signer() {
        Ok(())
    } else {
        Err(fail(ChainferenceError::MissingSigner))
    }
}

/// `AccountNotWritable` unless the account is writable.
#[inline(always)]
pub fn check_writable(account: &AccountView) -> ProgramResult {
    if account.is_writable() {
        Ok(())
    } else {
        Err(fail(ChainferenceError::AccountNotWritable))
    }
}

/// `MissingSigner`, then `AccountNotWritable`, unless the account is a writable signer: both flags
/// in one 16-bit load (the runtime stores each as a 0/1 byte, `is_signer` then `is_writable`), one
/// branch instead of two on the success path.
#[inline(always)]
pub fn check_writable_signer(account: &AccountView) -> ProgramResult {
    let raw = account.account_ptr();
    // SAFETY: `raw` points to the runtime account of this view (entrypoint invariant);
    // `is_signer` and `is_writable` are adjacent `u8`s, read as one unaligned `u16`.
    let flags = unsafe {
        core::ptr::addr_of!((*raw).is_signer)
            .cast::<u16>()
            .read_unaligned()
    };
    if flags == u16::from_le_bytes([1, 1]) {
        Ok(())
    } else {
        Err(signer_or_writable_error(account))
    }
}

#[cold]
#[inline(never)]
fn signer_or_writable_error(account: &AccountView) -> ProgramError {
    if account.is_signer() {
        ChainferenceError::AccountNotWritable.into()
    } else {
        ChainferenceError::MissingSigner.into()
    }
}

/// `AccountMustBeReadOnly` when the account is writable. For the non-signing accounts an
/// instruction only reads (a signer may be writable anyway: it may pay the transaction fee, and the
/// System program is always demoted to read-only by the runtime).
#[inline(always)]
pub fn check_readonly(account: &AccountView) -> ProgramResult {
    if account.is_writable() {
        Err(fail(ChainferenceError::AccountMustBeReadOnly))
    } else {
        Ok(())
    }
}

/// Exactly `N` accounts (an instruction's whole account list): `NotEnoughAccounts` below,
/// `TooManyAccounts` above. The entrypoint keeps at most `MAX_ACCOUNTS` of them and every shape is
/// shorter, so a longer list is still seen as too long.
#[inline(always)]
pub fn exact_accounts<const N: usize>(
    accounts: &mut [AccountView],
) -> Result<&mut [AccountView; N], ProgramError> {
    let len = accounts.len();
    accounts.try_into().map_err(|_| account_count_error(len, N))
}

/// `NotEnoughAccounts` when `len < expected`, else `TooManyAccounts`.
#[cold]
#[inline(never)]
pub fn account_count_error(len: usize, expected: usize) -> ProgramError {
    if len < expected {
        ChainferenceError::NotEnoughAccounts.into()
    } else {
        ChainferenceError::TooManyAccounts.into()
    }
}

/// `InvalidAccountOwner` unless `program_id` owns the account.
#[inline(always)]
pub fn check_owner(account: &AccountView, program_id: &Address) -> ProgramResult {
    if account.owned_by(program_id) {
        Ok(())
    } else {
        Err(fail(ChainferenceError::InvalidAccountOwner))
    }
}

/// `InvalidSystemProgram` unless the account is the system program.
#[inline(always)]
pub fn check_system_program(account: &AccountView) -> ProgramResult {
    if eq32(
        account.address().as_array(),
        pinocchio_system::ID.as_array(),
    ) {
        Ok(())
    } else {
        Err(fail(ChainferenceError::InvalidSystemProgram))
    }
}

/// `DuplicateAccount` when the same account is passed for two roles.
#[inline(always)]
pub fn check_distinct(a: &AccountView, b: &AccountView) -> ProgramResult {
    if eq32(a.address().as_array(), b.address().as_array()) {
        Err(fail(ChainferenceError::DuplicateAccount))
    } else {
        Ok(())
    }
}

/// `InvalidPda` unless the account sits at `expected`.
#[inline(always)]
pub fn check_address(account: &AccountView, expected: &Address) -> ProgramResult {
    if eq32(account.address().as_array(), expected.as_array()) {
        Ok(())
    } else {
        Err(fail(ChainferenceError::InvalidPda))
    }
}

/// Optional accounts are passed as the program id when absent (Codama `"programId"` strategy).
#[inline(always)]
pub fn is_absent(account: &AccountView, program_id: &Address) -> bool {
    eq32(account.address().as_array(), program_id.as_array())
}

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

/// Moves `amount` lamports directly from a program-owned account to any writable account
/// (no CPI). Aliasing-safe: `to` is read after `from` is written, so passing one account twice
/// leaves its balance unchanged.
#[inline(always)]
pub fn transfer_lamports(
    from: &mut AccountView,
    to: &mut AccountView,
    amount: u64,
) -> ProgramResult {
    from.set_lamports(math::sub_u64(from.lamports(), amount)?);
    to.set_lamports(math::add_u64(to.lamports(), amount)?);
    Ok(())
}

/// Resizes a program-owned account's data to `new_len`, zero-filling any growth with the
/// `sol_memset_` syscall (pinocchio's `Resize` zero-fills with a byte loop: ~0.85 CU per byte).
/// Growth is bounded like the runtime's: at most `MAX_PERMITTED_DATA_INCREASE` (10 KiB) above the
/// length the account had when the instruction started (`InvalidRealloc` otherwise). The account
/// data must not be borrowed.
#[inline(always)]
pub fn resize(account: &mut AccountView, new_len: usize) -> ProgramResult {
    account.check_borrow_mut()?;
    let current = account.data_len();
    if new_len == current {
        return Ok(());
    }
    let raw = account.account_mut_ptr();
    // SAFETY: `raw` is the runtime account header of an account received by the entrypoint; with
    // the `account-resize` feature the entrypoint stores its original data length in `padding`.
    let original = unsafe { u32::from_le_bytes((*raw).padding) } as usize;
    if new_len.saturating_sub(original) > MAX_PERMITTED_DATA_INCREASE {
        return Err(ProgramError::InvalidRealloc);
    }
    if new_len > current {
        // SAFETY: the serialized account is followed by `MAX_PERMITTED_DATA_INCREASE` bytes of
        // realloc space, so `[current, new_len)` is writable (bound checked above) and unborrowed.
        let grown = unsafe {
            core::slice::from_raw_parts_mut(
                account.data_mut_ptr().add(current),
                new_len.wrapping_sub(current),
            )
        };
        mem::zero(grown);
    }
    // SAFETY: as above; the runtime validates the final length against the realloc limits.
    unsafe { (*raw).data_len = new_len as u64 };
    Ok(())
}

/// Closes a program-owned account: every lamport goes to `destination`, then data length, owner
/// and lamports are zeroed (the runtime zeroes the data itself). Lamports are conserved exactly.
/// The account's data must not be borrowed.
#[inline(always)]
pub fn close_account(account: &mut AccountView, destination: &mut AccountView) -> ProgramResult {
    check_distinct(account, destination)?;
    let lamports = account.lamports();
    destination.set_lamports(math::add_u64(destination.lamports(), lamports)?);
    account.set_lamports(0);
    account.close()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eq32_and_bytes_eq() {
        let a = [7u8; 32];
        let mut b = a;
        assert!(eq32(&a, &b));
        for i in 0..32 {
            b = a;
            b[i] ^= 1;
            assert!(!eq32(&a, &b), "byte {i}");
        }
        assert!(bytes_eq(b"abc", b"abc"));
        assert!(!bytes_eq(b"abc", b"abd"));
        assert!(!bytes_eq(b"abc", b"ab"));
        assert!(bytes_eq(b"", b""));
    }

    #[test]
    fn account_count_error_names_the_side() {
        let not_enough: ProgramError = ChainferenceError::NotEnoughAccounts.into();
        let too_many: ProgramError = ChainferenceError::TooManyAccounts.into();
        assert_eq!(account_count_error(0, 4), not_enough);
        assert_eq!(account_count_error(3, 4), not_enough);
        assert_eq!(account_count_error(5, 4), too_many);
        assert_eq!(account_count_error(24, 19), too_many);
    }
}
