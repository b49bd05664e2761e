//! Session PDA `["session", client, server, open_slot u64 le]`, 353 bytes (`docs/protocol.md`
//! § Session, `docs/sessions.md`). A payment channel between one client and one server for one
//! model: the account is its own escrow, holding its rent plus `deposit − settled` lamports while
//! Open or Closing.
//!
//! State machine (every transition, who may make it, and where the lamports go):
//!
//! ```text
//! open_session ──▶ Open ──request_close_session (client)──▶ Closing
//!                   │ top_up_session (client)                 │
//!                   │ settle_session (operator, now < deadline)│ settle_session (operator, now < deadline)
//!                   └──────────close_session──────────────────┴──▶ Closed tombstone ──reclaim_session──▶ freed
//!                              (operator any time;                  (or freed at once when
//!                               client once now ≥ deadline)          now > open_slot + OPEN_SLOT_WINDOW)
//! ```
//!
//! - `settle_deadline = expiry_slot` while Open, `min(expiry_slot, close_requested_slot +
//!   grace_slots)` while Closing. The server may settle exactly while `now < settle_deadline`; the
//!   client may force the close exactly when `now ≥ settle_deadline`: it never closes before the
//!   server could settle its last voucher.
//! - `close_session` refunds `deposit − settled` to the client. The account is freed (rent to the
//!   client) only once `now > open_slot + OPEN_SLOT_WINDOW`; before that it stays a Closed
//!   tombstone holding its rent, so the address cannot be opened again while `open_slot` is still
//!   inside the window, and once it is freed `open_slot` is too old to open it again: an address
//!   never hosts two sessions, so a voucher (which names the address) never applies to another.

use pinocchio::error::ProgramError;

use super::AccountDiscriminator;
use crate::{
    accessors,
    constants::{MAX_HF_ID_LEN, MAX_REVISION_LEN, OPEN_SLOT_WINDOW},
    fixed_size_account,
    idl::{AccountType, Enum, Layout, Seed, Ty},
    layout_fields, mem,
};

/// Session status; all three are stored (a freed session has no account).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionStatus {
    Open = 0,
    Closing = 1,
    Closed = 2,
}

/// Interface description of [`SessionStatus`] (checked against it by `idl::tests`).
pub const SESSION_STATUS: Enum = Enum {
    name: "sessionStatus",
    docs: "Session status. A freed session has no account.",
    variants: &["open", "closing", "closed"],
};

#[repr(C)]
pub struct Session {
    discriminator: u8,
    version: u8,
    bump: u8,
    status: u8,
    client: [u8; 32],
    server: [u8; 32],
    operator: [u8; 32],
    voucher_signer: [u8; 32],
    model_len: u8,
    model: [u8; MAX_HF_ID_LEN],
    revision_len: u8,
    revision: [u8; MAX_REVISION_LEN],
    fee_bps: [u8; 2],
    fee_shard: u8,
    key_epoch: [u8; 4],
    price_in: [u8; 8],
    price_out: [u8; 8],
    deposit: [u8; 8],
    settled: [u8; 8],
    settled_tokens: [u8; 8],
    settled_answers: [u8; 4],
    open_slot: [u8; 8],
    expiry_slot: [u8; 8],
    grace_slots: [u8; 8],
    close_requested_slot: [u8; 8],
}

super::transmutable!(Session);
const _: () = Session::TYPE.layout.check(core::mem::size_of::<Session>());

impl Session {
    pub const LEN: usize = 353;
    pub const DISCRIMINATOR: AccountDiscriminator = AccountDiscriminator::Session;
    pub const PREFIX: &'static [u8] = b"session";

    /// Interface description (IDL, `docs/protocol.md`): see [`crate::idl`].
    pub const TYPE: AccountType = AccountType {
        discriminator: Self::DISCRIMINATOR as u8,
        seeds: &[
            Seed::Const(Self::PREFIX),
            Seed::Var {
                name: "client",
                ty: Ty::Address,
                docs: "",
            },
            Seed::Var {
                name: "server",
                ty: Ty::Address,
                docs: "The Server account.",
            },
            Seed::Var {
                name: "open_slot",
                ty: Ty::U64,
                docs: "A recent slot (≤ now, ≥ now − OPEN_SLOT_WINDOW at open).",
            },
        ],
        layout: Layout {
            name: "Session",
            docs: "A payment channel (PDA `[\"session\", client, server, open_slot]`); it escrows the deposit itself.",
            size: Self::LEN,
            fields: layout_fields![Session;
                discriminator: Ty::Discriminator => "",
                version: Ty::Version => "",
                bump: Ty::U8 => "",
                status: Ty::Enum("sessionStatus") => "Open, Closing or Closed (tombstone).",
                client: Ty::Address => "Client wallet (memcmp filter); receives every refund.",
                server: Ty::Address => "Server account (memcmp filter).",
                operator: Ty::Address => "The server's operator: signs settle_session and the cooperative close.",
                voucher_signer: Ty::Address => "Ed25519 key that signs vouchers (the client's session key).",
                model_len as model: Ty::ShortString(MAX_HF_ID_LEN) => "Hugging Face model id.",
                revision_len as revision: Ty::ShortString(MAX_REVISION_LEN) => "Pinned revision (empty = any).",
                fee_bps: Ty::U16 => "Config snapshot at open.",
                fee_shard: Ty::U8 => "`open_slot % 16`.",
                key_epoch: Ty::U32 => "The server's key epoch at open.",
                price_in: Ty::U64 => "Snapshot of the server's price at open (lamports per 10^6 prompt tokens).",
                price_out: Ty::U64 => "Snapshot (lamports per 10^6 answer tokens).",
                deposit: Ty::U64 => "Lamports escrowed in total (open + top-ups).",
                settled: Ty::U64 => "Cumulative lamports paid out (the last settled voucher's).",
                settled_tokens: Ty::U64 => "Cumulative tokens of the last settled voucher.",
                settled_answers: Ty::U32 => "Cumulative answers of the last settled voucher.",
                open_slot: Ty::U64 => "",
                expiry_slot: Ty::U64 => "No settle at or after this slot.",
                grace_slots: Ty::U64 => "Slots the server keeps to settle after a close request.",
                close_requested_slot: Ty::U64 => "Set by request_close_session (0 while Open).",
            ],
        },
    };

    fixed_size_account!();

    #[inline(always)]
    pub fn bump(&self) -> u8 {
        self.bump
    }

    #[inline(always)]
    pub fn set_bump(&mut self, bump: u8) {
        self.bump = bump;
    }

    /// The stored status; `InvalidAccountData` for a byte no instruction writes.
    #[inline(always)]
    pub fn status(&self) -> Result<SessionStatus, ProgramError> {
        match self.status {
            0 => Ok(SessionStatus::Open),
            1 => Ok(SessionStatus::Closing),
            2 => Ok(SessionStatus::Closed),
            _ => Err(super::invalid_account_data()),
        }
    }

    #[inline(always)]
    pub fn set_status(&mut self, status: SessionStatus) {
        self.status = status as u8;
    }

    #[inline(always)]
    pub fn client(&self) -> &[u8; 32] {
        &self.client
    }

    #[inline(always)]
    pub fn set_client(&mut self, client: &[u8; 32]) {
        self.client = *client;
    }

    #[inline(always)]
    pub fn server(&self) -> &[u8; 32] {
        &self.server
    }

    #[inline(always)]
    pub fn set_server(&mut self, server: &[u8; 32]) {
        self.server = *server;
    }

    #[inline(always)]
    pub fn operator(&self) -> &[u8; 32] {
        &self.operator
    }

    #[inline(always)]
    pub fn set_operator(&mut self, operator: &[u8; 32]) {
        self.operator = *operator;
    }

    #[inline(always)]
    pub fn voucher_signer(&self) -> &[u8; 32] {
        &self.voucher_signer
    }

    #[inline(always)]
    pub fn set_voucher_signer(&mut self, signer: &[u8; 32]) {
        self.voucher_signer = *signer;
    }

    #[inline(always)]
    pub fn model(&self) -> &[u8] {
        let n = (self.model_len as usize).min(MAX_HF_ID_LEN);
        &self.model[..n]
    }

    /// Stores `model` (≤ `MAX_HF_ID_LEN`: it equals a server's entry; longer input is truncated)
    /// into a fresh (zeroed) account.
    #[inline(always)]
    pub fn set_model(&mut self, model: &[u8]) {
        let n = model.len().min(MAX_HF_ID_LEN);
        mem::copy(&mut self.model[..n], &model[..n]);
        self.model_len = n as u8;
    }

    #[inline(always)]
    pub fn revision(&self) -> &[u8] {
        let n = (self.revision_len as usize).min(MAX_REVISION_LEN);
        &self.revision[..n]
    }

    /// Stores `revision` (≤ `MAX_REVISION_LEN`; longer input is truncated) into a fresh account.
    #[inline(always)]
    pub fn set_revision(&mut self, revision: &[u8]) {
        let n = revision.len().min(MAX_REVISION_LEN);
        mem::copy(&mut self.revision[..n], &revision[..n]);
        self.revision_len = n as u8;
    }

    #[inline(always)]
    pub fn fee_shard(&self) -> u8 {
        self.fee_shard
    }

    #[inline(always)]
    pub fn set_fee_shard(&mut self, shard: u8) {
        self.fee_shard = shard;
    }

    accessors! {
        u16: fee_bps, set_fee_bps;
        u32: key_epoch, set_key_epoch;
        u64: price_in, set_price_in;
        u64: price_out, set_price_out;
        u64: deposit, set_deposit;
        u64: settled, set_settled;
        u64: settled_tokens, set_settled_tokens;
        u32: settled_answers, set_settled_answers;
        u64: open_slot, set_open_slot;
        u64: expiry_slot, set_expiry_slot;
        u64: grace_slots, set_grace_slots;
        u64: close_requested_slot, set_close_requested_slot;
    }

    /// First slot at which the server can no longer settle: `expiry_slot`, or while Closing
    /// `min(expiry_slot, close_requested_slot + grace_slots)` (saturating).
    #[inline(always)]
    pub fn settle_deadline(&self) -> u64 {
        let expiry = self.expiry_slot();
        if self.status == SessionStatus::Closing as u8 {
            let grace_end = self
                .close_requested_slot()
                .saturating_add(self.grace_slots());
            if grace_end < expiry {
                return grace_end;
            }
        }
        expiry
    }

    /// `now > open_slot + OPEN_SLOT_WINDOW`: the address can never be opened again, so the account
    /// may be freed.
    #[inline(always)]
    pub fn may_free(&self, now: u64) -> bool {
        now > self.open_slot().saturating_add(OPEN_SLOT_WINDOW)
    }
}

/// Byte offsets of `docs/protocol.md` § Session, checked at compile time (the memcmp filters of
/// the SDK and the node use status, client, server and operator).
const _: () = {
    use core::mem::offset_of;
    assert!(offset_of!(Session, status) == 3);
    assert!(offset_of!(Session, client) == 4);
    assert!(offset_of!(Session, server) == 36);
    assert!(offset_of!(Session, operator) == 68);
    assert!(offset_of!(Session, voucher_signer) == 100);
    assert!(offset_of!(Session, model_len) == 132);
    assert!(offset_of!(Session, deposit) == 293);
    assert!(offset_of!(Session, settled) == 301);
    assert!(offset_of!(Session, open_slot) == 321);
    assert!(offset_of!(Session, close_requested_slot) == 345);
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadline_and_free_rules() {
        let mut data = [0u8; Session::LEN];
        let s = Session::init(&mut data).unwrap();
        s.set_open_slot(1_000);
        s.set_expiry_slot(5_000);
        s.set_grace_slots(300);
        assert_eq!(s.settle_deadline(), 5_000);
        s.set_status(SessionStatus::Closing);
        s.set_close_requested_slot(2_000);
        assert_eq!(s.settle_deadline(), 2_300);
        s.set_close_requested_slot(4_900);
        assert_eq!(s.settle_deadline(), 5_000);
        s.set_grace_slots(u64::MAX);
        assert_eq!(s.settle_deadline(), 5_000);
        assert!(!s.may_free(1_000 + OPEN_SLOT_WINDOW));
        assert!(s.may_free(1_001 + OPEN_SLOT_WINDOW));
        s.set_status(SessionStatus::Closed);
        assert_eq!(s.status(), Ok(SessionStatus::Closed));
        data[3] = 3;
        assert!(Session::load(&data).unwrap().status().is_err());
        assert!(Session::load(&data[..Session::LEN - 1]).is_err());
    }
}
