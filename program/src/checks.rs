//! Account checks shared by every instruction: account counts, signer / writable / read-only
//! flags, owners, distinct accounts, expected addresses, and the 32-byte comparisons they use.
//!
//! Each check returns the matching [`ChainferenceError`]; failures are `#[cold]`. The other
//! account helpers live beside it: [`crate::pda`] (find and create PDAs: System program CPIs),
//! [`crate::lamports`] (direct lamport moves, closing) and [`crate::resize`] (data resize).
//!
//! BPF codegen limits every out-of-line function must respect (stock LLVM 22, SBPF v0):
//! at most 5 register arguments (a slice or `&[T]` counts as 2) and no stack arguments: pack more
//! into a struct passed by reference, or `#[inline(always)]`; no u64/usize `*` under
//! `overflow-checks` (use `crate::math`, or `wrapping_mul` where a bound is proven first); and no
//! constant aggregate *containing pointers* handed to a syscall (e.g. `&[SEED_A, SEED_B]` of
//! constants: rustc promotes it to a `.rodata` static that sbpf-linker leaves unaligned and
//! unrelocated). Build seed/signer arrays from at least one runtime value (a bump byte on the
//! stack does it), as every `Seed` array here does.

use pinocchio::{error::ProgramError, AccountView, Address, ProgramResult};

use crate::errors::ChainferenceError;

#[cold]
#[inline(never)]
pub(crate) fn fail(e: ChainferenceError) -> ProgramError {
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
