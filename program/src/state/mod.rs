//! Zero-copy account views (`docs/protocol.md` § Accounts).
//!
//! Convention (copy it for every account type):
//! - `#[repr(C)]` struct whose fields are all `u8` or `[u8; N]` (alignment 1, no padding, every
//!   bit pattern valid), numbers little-endian, no `bool` (a `u8` 0/1 + `is_x()`/`set_x(bool)`).
//! - [`transmutable!`]`(T)` right under the struct: implements the sealed [`Transmutable`] trait
//!   (the only types [`cast`] / [`cast_mut`] accept) and asserts at compile time that
//!   `size_of::<T>() == T::LEN` and `align_of::<T>() == 1`. The field offsets of
//!   `docs/protocol.md` are `const` assertions too (a moved field fails the build).
//! - A stored byte that must be one of an enum's values has a typed getter returning
//!   `Result<Enum, ProgramError>` with a named error for any other byte (e.g.
//!   [`Request::status`] → `InvalidRequestStatus`).
//! - `impl T { pub const LEN, pub const DISCRIMINATOR, pub const PREFIX (PDA seed) }`,
//!   `#[inline(always)]` getters/setters (the [`accessors!`] macro writes the numeric ones),
//!   `load(&[u8]) -> Result<&T>` / `load_mut(&mut [u8]) -> Result<&mut T>` that check the exact
//!   length (variable-size accounts: `>= header` and `header + n × entry == len`), the
//!   discriminator and the version (`InvalidAccountData` otherwise), and `init(&mut [u8])` for a
//!   freshly allocated (zeroed) account that checks the length and writes discriminator + version.
//! - The owner check (`checks::check_owner`) happens in `accounts.rs` before `load`.
//! - Borrow account data with `unsafe { account.borrow_unchecked() }` /
//!   `borrow_unchecked_mut()` once `accounts.rs` has proven the accounts distinct; scope the view
//!   so it is dropped before lamports move or the account is resized/closed.

use pinocchio::error::ProgramError;

use crate::errors::ChainferenceError;

pub mod config;
pub mod fee_vault;
pub mod request;
pub mod response;
pub mod server;
pub mod session;

pub use config::Config;
pub use fee_vault::FeeVault;
pub use request::{AllowedServer, Request, RequestStatus};
pub use response::Response;
pub use server::{ModelEntry, Server};
pub use session::{Session, SessionStatus};

/// Layout version of every account type.
pub const VERSION: u8 = 1;

/// First byte of every account's data.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountDiscriminator {
    Config = 1,
    FeeVault = 2,
    Server = 3,
    Request = 4,
    Response = 5,
    Session = 6,
}

#[cold]
#[inline(never)]
pub(crate) fn invalid_account_data() -> ProgramError {
    ChainferenceError::InvalidAccountData.into()
}

/// `InvalidAccountData` unless `data` starts with `discriminator, VERSION`.
#[inline(always)]
pub fn check_header(data: &[u8], discriminator: AccountDiscriminator) -> Result<(), ProgramError> {
    match data {
        [d, v, ..] if *d == discriminator as u8 && *v == VERSION => Ok(()),
        _ => Err(invalid_account_data()),
    }
}

/// Writes `discriminator, VERSION` into a freshly allocated account; `AlreadyInitialized` if it
/// already carries a discriminator.
#[inline(always)]
pub fn write_header(
    data: &mut [u8],
    discriminator: AccountDiscriminator,
) -> Result<(), ProgramError> {
    match data {
        [0, _, ..] => {
            data[0] = discriminator as u8;
            data[1] = VERSION;
            Ok(())
        }
        [_, _, ..] => Err(ChainferenceError::AlreadyInitialized.into()),
        _ => Err(invalid_account_data()),
    }
}

mod sealed {
    /// Only this crate's account views implement [`super::Transmutable`].
    pub trait Sealed {}
}

/// A zero-copy account view: `#[repr(C)]`, only `u8` / `[u8; N]` fields, so alignment 1, no
/// padding, and every bit pattern of its `LEN` bytes is a valid value (after p-token's
/// `Transmutable`, `interface/src/state/mod.rs`). Sealed: implement it only with
/// [`transmutable!`], which asserts the size and alignment at compile time.
///
/// # Safety
/// The implementor guarantees the layout above and `size_of::<Self>() == LEN`.
pub unsafe trait Transmutable: sealed::Sealed {
    /// Size in bytes (the fixed header of a variable-size account).
    const LEN: usize;
}

/// Implements [`Transmutable`] for a state struct (its `LEN` is the inherent `T::LEN`) and asserts
/// `size_of::<T>() == T::LEN` and `align_of::<T>() == 1` at compile time.
macro_rules! transmutable {
    ($t:ty) => {
        impl $crate::state::sealed::Sealed for $t {}

        // SAFETY: `$t` is `#[repr(C)]` with only `u8` / `[u8; N]` fields (state convention); the
        // size and the alignment are asserted just below.
        unsafe impl $crate::state::Transmutable for $t {
            const LEN: usize = <$t>::LEN;
        }

        const _: () = assert!(
            core::mem::size_of::<$t>() == <$t as $crate::state::Transmutable>::LEN
                && core::mem::align_of::<$t>() == 1
        );
    };
}
pub(crate) use transmutable;

/// Getter + setter pairs for little-endian numeric fields stored as `[u8; N]`:
/// `accessors! { u64: completed, set_completed; u16: fee_bps, set_fee_bps; }`.
#[macro_export]
macro_rules! accessors {
    ($($ty:ty: $field:ident, $setter:ident;)*) => {
        $(
            #[inline(always)]
            pub fn $field(&self) -> $ty {
                <$ty>::from_le_bytes(self.$field)
            }

            #[inline(always)]
            pub fn $setter(&mut self, value: $ty) {
                self.$field = value.to_le_bytes();
            }
        )*
    };
}

/// `load` / `load_mut` / `init` for an account of exactly `Self::LEN` bytes with header
/// `Self::DISCRIMINATOR` (Config, FeeVault). The type must be [`Transmutable`].
#[macro_export]
macro_rules! fixed_size_account {
    () => {
        #[inline(always)]
        pub fn load(data: &[u8]) -> Result<&Self, ProgramError> {
            if data.len() != Self::LEN {
                return Err($crate::state::invalid_account_data());
            }
            $crate::state::check_header(data, Self::DISCRIMINATOR)?;
            // SAFETY: exact length checked; alignment 1 with only byte fields.
            Ok(unsafe { $crate::state::cast(data) })
        }

        #[inline(always)]
        pub fn load_mut(data: &mut [u8]) -> Result<&mut Self, ProgramError> {
            if data.len() != Self::LEN {
                return Err($crate::state::invalid_account_data());
            }
            $crate::state::check_header(data, Self::DISCRIMINATOR)?;
            // SAFETY: exact length checked; alignment 1 with only byte fields.
            Ok(unsafe { $crate::state::cast_mut(data) })
        }

        /// Fresh (zeroed) account of exactly `LEN` bytes: writes the header.
        #[inline(always)]
        pub fn init(data: &mut [u8]) -> Result<&mut Self, ProgramError> {
            if data.len() != Self::LEN {
                return Err($crate::state::invalid_account_data());
            }
            $crate::state::write_header(data, Self::DISCRIMINATOR)?;
            // SAFETY: exact length checked; alignment 1 with only byte fields.
            Ok(unsafe { $crate::state::cast_mut(data) })
        }
    };
}

/// Reinterprets `data` (length already checked by the caller) as `&T`.
///
/// # Safety
/// `data.len() >= T::LEN` ([`Transmutable`] guarantees alignment 1 and that any bytes are valid).
#[inline(always)]
pub(crate) unsafe fn cast<T: Transmutable>(data: &[u8]) -> &T {
    debug_assert!(data.len() >= T::LEN);
    // SAFETY: length guaranteed by the caller; layout by `Transmutable`.
    unsafe { &*(data.as_ptr() as *const T) }
}

/// Mutable counterpart of [`cast`].
///
/// # Safety
/// Same as [`cast`].
#[inline(always)]
pub(crate) unsafe fn cast_mut<T: Transmutable>(data: &mut [u8]) -> &mut T {
    debug_assert!(data.len() >= T::LEN);
    // SAFETY: length guaranteed by the caller; layout by `Transmutable`.
    unsafe { &mut *(data.as_mut_ptr() as *mut T) }
}
