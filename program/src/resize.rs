//! Resizing a program-owned account's data (the one resize: `update_server` and `append_response`).

use pinocchio::{account::MAX_PERMITTED_DATA_INCREASE, error::ProgramError, AccountView};

use crate::mem;

/// Grows (or shrinks) a program-owned account's data to `new_len`, zeroing any new bytes with the
/// `sol_memset_` syscall. Same checks as pinocchio's `Resize::resize` (no outstanding borrow;
/// at most `MAX_PERMITTED_DATA_INCREASE` above the length at instruction start, which the
/// `account-resize` entrypoint stores in the account's padding), but `Resize` zeroes with an
/// inlined byte loop (see [`crate::mem`]): 414 CU for a 902-byte frame against ~15 here, on the hottest instruction.
///
/// `SAME_LEN_RETURNS`: return right after the borrow check when the length does not change, for a
/// caller that often keeps it (`update_server`: 2 CU less there); `append_response` always grows,
/// and the extra compare would cost it 4 CU per chunk.
#[inline(always)]
pub fn resize_account<const SAME_LEN_RETURNS: bool>(
    account: &mut AccountView,
    new_len: usize,
) -> Result<(), ProgramError> {
    account.check_borrow_mut()?;
    let old_len = account.data_len();
    if SAME_LEN_RETURNS && new_len == old_len {
        return Ok(());
    }
    let raw = account.account_mut_ptr();
    // SAFETY: `raw` points to the runtime account of this view (entrypoint invariant).
    let original = u32::from_le_bytes(unsafe { (*raw).padding }) as usize;
    if new_len.saturating_sub(original) > MAX_PERMITTED_DATA_INCREASE {
        return Err(ProgramError::InvalidRealloc);
    }
    if new_len > old_len {
        // SAFETY: the serialized input reserves `MAX_PERMITTED_DATA_INCREASE` bytes after the
        // original data, and `new_len ≤ original + MAX_PERMITTED_DATA_INCREASE` (checked above),
        // so `[old_len, new_len)` is inside the account's data region; nothing borrows it.
        // `new_len > old_len`: the subtraction cannot wrap.
        let tail = unsafe {
            core::slice::from_raw_parts_mut(
                account.data_mut_ptr().add(old_len),
                new_len.wrapping_sub(old_len),
            )
        };
        mem::zero(tail);
    }
    // SAFETY: as above; the runtime validates the final length after the instruction.
    unsafe { (*raw).data_len = new_len as u64 };
    Ok(())
}
