//! Chainference on-chain program: decentralized, private, streaming LLM inference settled on Solana.
//!
//! `docs/protocol.md` is the byte-exact contract for every account and instruction here.
//!
//! Layout:
//! - [`entrypoint`]: `split_first()` on the data, one exhaustive match over [`instructions::Discriminator`].
//! - [`instructions`]: one folder per instruction (`accounts.rs`, `data.rs`, `processor.rs`).
//! - [`state`]: zero-copy account views (see the convention in `state/mod.rs`).
//! - [`borsh`]: the no-alloc instruction data reader. [`math`]: checked u64 math without u128.
//! - [`idl`]: the interface described in Rust (layouts, account lists, data, errors): the IDL
//!   and `docs/protocol.md`'s tables are generated from it.
//! - [`checks`]: account validation. [`pda`]: find and create PDAs (System program CPIs).
//!   [`lamports`]: direct lamport moves and closing. [`resize`]: account data resize.
//!   [`lifecycle`]: helpers shared by the request lifecycle instructions (settlement math).
//!   [`mem`]: syscall memcpy/memset. [`rent`]: rent-exempt minimums under both Rent sysvar forms.
//!   [`validate`]: model id rules. [`voucher`]: the session voucher verified by the Ed25519
//!   precompile, read through the Instructions sysvar.
#![no_std]

pub mod borsh;
pub mod checks;
pub mod constants;
pub mod entrypoint;
pub mod errors;
pub mod idl;
pub mod instructions;
pub mod lamports;
pub mod lifecycle;
pub mod math;
pub mod mem;
pub mod pda;
pub mod rent;
pub mod resize;
pub mod state;
pub mod validate;
pub mod voucher;

/// Test-only helpers, kept outside `src/` (`program/tests/support/`).
#[cfg(test)]
#[path = "../tests/support/mod.rs"]
mod test_support;

pub use errors::ChainferenceError;

#[cfg(test)]
extern crate std;
