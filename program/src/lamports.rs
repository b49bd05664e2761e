//! Lamport moves on program-owned accounts without a CPI: transfers and closing an account.

use pinocchio::{AccountView, ProgramResult};

use crate::{checks::check_distinct, math};

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
