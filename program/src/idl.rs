//! The program's interface, described in Rust next to the code it describes: account layouts
//! (beside each state struct, offsets taken from the struct with `offset_of!`), the account list
//! of every instruction (beside its `accounts.rs` checks), instruction data (beside its `data.rs`
//! parser), PDAs and errors.
//!
//! This is the one source of the IDL: `examples/interface.rs` prints [`INTERFACE`] as JSON (kept as
//! `program/interface.json`), `scripts/generate-idl.ts` turns that JSON into the Codama tree
//! (`program/idl.json`, then the generated client, whose parsers `scripts/enforce-account-shapes.ts`
//! tightens to these shapes) and writes the layout tables of `docs/protocol.md`. Nothing here
//! reaches the `.so` except through the account counts each `accounts.rs` destructures.
//!
//! What keeps the description honest:
//! - account layouts: a compile-time assertion per struct ([`Layout::check`]) that the described
//!   fields tile the struct exactly (offsets from `offset_of!`, sizes from [`Ty::size`], total =
//!   `size_of`);
//! - instruction account counts: each `accounts.rs` destructures exactly `ACCOUNTS.len()` accounts
//!   (an array pattern of another length does not compile);
//! - signer / writable / read-only flags and list bounds: the negative tests generated from
//!   `program/interface.json` (`tests/helpers/attacks.ts`) drop each signer, flip each flag and
//!   send one account too few and one too many against the real program;
//! - instruction data: the `data.rs` unit tests encode their inputs from [`Instruction::args`]
//!   ([`tests::encode_args`]) and check every parsed field by name;
//! - names, codes, discriminators, defaults: the unit tests below.

use crate::errors::ChainferenceError;
use crate::instructions::{Discriminator, INSTRUCTIONS};
use crate::state::{
    AllowedServer, Config, FeeVault, ModelEntry, Request, Response, Server, Session,
};

/// How a field or an argument is encoded (little-endian numbers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// `u8` constant: the account discriminator.
    Discriminator,
    /// `u8` constant: the layout version ([`crate::state::VERSION`]).
    Version,
    U8,
    U16,
    U32,
    U64,
    /// `u8`, 0 or 1.
    Flag,
    /// A 32-byte address.
    Address,
    /// `N` raw bytes.
    Bytes(usize),
    /// `N` bytes of zero-padded UTF-8 (its length is another field).
    PaddedString(usize),
    /// A `u8` length, then `N` bytes of zero-padded UTF-8: struct fields `<name>_len`, `<name>`.
    ShortString(usize),
    /// A `u8` enum, by name ([`Interface::enums`]).
    Enum(&'static str),
    /// The rest of the account: raw bytes.
    RemainderBytes,
    /// The rest of the account: entries of a fixed-size struct, by name ([`Interface::structs`]).
    RemainderArray(&'static str),
    /// Borsh `string`: `u32` length, then UTF-8 bytes.
    String,
    /// Borsh `bytes`: `u32` length, then the bytes.
    VarBytes,
    /// Borsh `Vec<T>`: `u32` count, then the items of a named type ([`Interface::structs`] or
    /// [`Interface::borsh_structs`]).
    Vec(&'static str),
    /// One fixed-size struct of [`Interface::structs`], by name, in its account encoding.
    Struct(&'static str),
}

impl Ty {
    /// Encoded size in bytes; `None` for variable-size types.
    pub const fn size(self) -> Option<usize> {
        match self {
            Ty::Discriminator | Ty::Version | Ty::U8 | Ty::Flag | Ty::Enum(_) => Some(1),
            Ty::U16 => Some(2),
            Ty::U32 => Some(4),
            Ty::U64 => Some(8),
            Ty::Address => Some(32),
            Ty::Bytes(n) | Ty::PaddedString(n) => Some(n),
            Ty::ShortString(n) => n.checked_add(1),
            Ty::RemainderBytes
            | Ty::RemainderArray(_)
            | Ty::String
            | Ty::VarBytes
            | Ty::Vec(_)
            | Ty::Struct(_) => None,
        }
    }
}

/// One field of a zero-copy layout.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    pub name: &'static str,
    /// Byte offset (`offset_of!`; a remainder field sits at `size_of` of the struct).
    pub offset: usize,
    pub ty: Ty,
    /// One line for the IDL and `docs/protocol.md`; empty for none.
    pub docs: &'static str,
}

/// A `#[repr(C)]` byte-array struct: an account header or an entry type.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    /// IDL name (`camelCase` for entry types, `PascalCase` for accounts).
    pub name: &'static str,
    pub docs: &'static str,
    /// `size_of` the struct (an account's fixed part).
    pub size: usize,
    pub fields: &'static [Field],
}

impl Layout {
    /// Compile-time check (`const _: () = T::LAYOUT.check(size_of::<T>())`): the fields tile
    /// `0..size` in order with no gap and no overlap, and only the last field may be a remainder
    /// (it then starts at `size`).
    pub const fn check(&self, size: usize) {
        assert!(self.size == size, "layout size is not size_of the struct");
        let mut offset = 0usize;
        let mut i = 0usize;
        while i < self.fields.len() {
            let field = &self.fields[i];
            assert!(
                field.offset == offset,
                "field offset is not the end of the previous field"
            );
            offset = match field.ty.size() {
                Some(n) => match offset.checked_add(n) {
                    Some(end) => end,
                    None => panic!("layout overflows usize"),
                },
                None => {
                    assert!(
                        matches!(field.ty, Ty::RemainderBytes | Ty::RemainderArray(_)),
                        "only remainder fields may be variable-size in a layout"
                    );
                    assert!(
                        i.wrapping_add(1) == self.fields.len(),
                        "a remainder must be the last field"
                    );
                    assert!(
                        field.offset == size,
                        "a remainder starts after the fixed part"
                    );
                    size
                }
            };
            // `i < fields.len()`: no wrap.
            i = i.wrapping_add(1);
        }
        assert!(offset == size, "fields do not cover the struct");
    }

    /// The variable-size tail, if any.
    pub fn remainder(&self) -> Option<&Field> {
        self.fields
            .last()
            .filter(|f| matches!(f.ty, Ty::RemainderBytes | Ty::RemainderArray(_)))
    }
}

/// `Field`s of a `#[repr(C)]` struct with offsets from `offset_of!` (so it must be expanded in the
/// struct's own module: its fields are private):
///
/// ```text
/// layout_fields![Config;
///     discriminator: Ty::Discriminator => "",
///     model_len as model: Ty::ShortString(96) => "Hugging Face model id.",
///     ..models: Ty::RemainderArray("modelEntry") => "`model_count` entries.",
/// ]
/// ```
///
/// `a as b` names the field `b` but takes the offset of struct field `a` (a short string starts at
/// its length byte); `..name` is a remainder field after the struct.
#[macro_export]
macro_rules! layout_fields {
    ($t:ty; $($field:ident $(as $alias:ident)? : $ty:expr => $docs:literal,)* $(.. $tail:ident : $tail_ty:expr => $tail_docs:literal,)?) => {
        &[
            $($crate::idl::Field {
                name: $crate::layout_fields!(@name $field $($alias)?),
                offset: core::mem::offset_of!($t, $field),
                ty: $ty,
                docs: $docs,
            },)*
            $($crate::idl::Field {
                name: stringify!($tail),
                offset: core::mem::size_of::<$t>(),
                ty: $tail_ty,
                docs: $tail_docs,
            },)?
        ]
    };
    (@name $field:ident) => { stringify!($field) };
    (@name $field:ident $alias:ident) => { stringify!($alias) };
}

/// A PDA seed.
#[derive(Clone, Copy, Debug)]
pub enum Seed {
    /// Constant bytes (the account type's `PREFIX`).
    Const(&'static [u8]),
    /// A value the caller provides.
    Var {
        name: &'static str,
        ty: Ty,
        docs: &'static str,
    },
}

/// An account type: discriminator, PDA seeds and layout.
#[derive(Clone, Copy, Debug)]
pub struct AccountType {
    pub discriminator: u8,
    /// PDA seeds (the bump is not listed: it is stored in the account).
    pub seeds: &'static [Seed],
    pub layout: Layout,
}

/// A `u8` enum stored in an account.
#[derive(Clone, Copy, Debug)]
pub struct Enum {
    pub name: &'static str,
    pub docs: &'static str,
    /// Variant names (`camelCase`) in value order: variant `i` is `i`.
    pub variants: &'static [&'static str],
}

/// One Borsh argument of instruction data (or field of a Borsh struct).
#[derive(Clone, Copy, Debug)]
pub struct Arg {
    pub name: &'static str,
    pub ty: Ty,
    /// Value the generated client fills in when the caller gives none.
    pub default: ArgDefault,
    pub docs: &'static str,
}

impl Arg {
    pub const fn new(name: &'static str, ty: Ty) -> Self {
        Self {
            name,
            ty,
            default: ArgDefault::None,
            docs: "",
        }
    }

    pub const fn docs(self, docs: &'static str) -> Self {
        Self { docs, ..self }
    }

    /// The bump of the PDA the client derives for instruction account `account`.
    pub const fn bump_of(self, account: &'static str) -> Self {
        Self {
            default: ArgDefault::AccountBump(account),
            ..self
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgDefault {
    None,
    /// The bump of the PDA default of this instruction account.
    AccountBump(&'static str),
}

/// A Borsh struct used in instruction data.
#[derive(Clone, Copy, Debug)]
pub struct BorshStruct {
    pub name: &'static str,
    pub docs: &'static str,
    pub fields: &'static [Arg],
}

/// Where a PDA seed's value comes from in an instruction.
#[derive(Clone, Copy, Debug)]
pub enum SeedValue {
    /// The address of another account of the instruction, by name.
    Account(&'static str),
    /// An argument of the instruction, by name.
    Arg(&'static str),
}

/// The address the generated client fills in when the caller gives none.
#[derive(Clone, Copy, Debug)]
pub enum AccountDefault {
    None,
    /// The System program.
    SystemProgram,
    /// The Instructions sysvar (`Sysvar1nstructions1111111111111111111111111`).
    InstructionsSysvar,
    /// The account type's PDA, with `(seed name, value)` for each variable seed.
    Pda(&'static AccountType, &'static [(&'static str, SeedValue)]),
    /// This program's ProgramData: the upgradeable loader's PDA `[program id]`.
    ProgramData,
}

/// One account of an instruction, in order.
#[derive(Clone, Copy, Debug)]
pub struct InstructionAccount {
    pub name: &'static str,
    pub signer: bool,
    pub writable: bool,
    /// Passed as the program id when absent (Codama `optionalAccountStrategy: "programId"`).
    pub optional: bool,
    /// Read-only for this instruction, yet accepted writable: another instruction of the same
    /// transaction may write it (writability is per transaction).
    pub may_be_writable: bool,
    pub default: AccountDefault,
    pub docs: &'static str,
}

impl InstructionAccount {
    /// A read-only, non-signing account.
    pub const fn readonly(name: &'static str, docs: &'static str) -> Self {
        Self {
            name,
            signer: false,
            writable: false,
            optional: false,
            may_be_writable: false,
            default: AccountDefault::None,
            docs,
        }
    }

    /// A writable, non-signing account.
    pub const fn writable(name: &'static str, docs: &'static str) -> Self {
        Self {
            writable: true,
            ..Self::readonly(name, docs)
        }
    }

    /// The System program (`system_program`, read-only, filled in by the client).
    pub const fn system_program() -> Self {
        Self {
            default: AccountDefault::SystemProgram,
            ..Self::readonly("system_program", "")
        }
    }

    /// The Instructions sysvar (`instructions_sysvar`, read-only, filled in by the client).
    pub const fn instructions_sysvar() -> Self {
        Self {
            default: AccountDefault::InstructionsSysvar,
            ..Self::readonly(
                "instructions_sysvar",
                "Read for the Ed25519 precompile instruction right before this one.",
            )
        }
    }

    pub const fn signer(self) -> Self {
        Self {
            signer: true,
            ..self
        }
    }

    pub const fn optional(self) -> Self {
        Self {
            optional: true,
            ..self
        }
    }

    /// A read-only account the program also accepts writable (see `may_be_writable`).
    pub const fn may_be_writable(self) -> Self {
        Self {
            may_be_writable: true,
            ..self
        }
    }

    pub const fn pda(
        self,
        account: &'static AccountType,
        seeds: &'static [(&'static str, SeedValue)],
    ) -> Self {
        Self {
            default: AccountDefault::Pda(account, seeds),
            ..self
        }
    }
}

/// A variable list of accounts after the named ones (Codama remaining accounts).
#[derive(Clone, Copy, Debug)]
pub struct RemainingAccounts {
    /// The instruction argument of the generated client that carries the addresses.
    pub name: &'static str,
    pub min: usize,
    pub max: usize,
    pub writable: bool,
    pub docs: &'static str,
}

/// One instruction.
#[derive(Clone, Copy, Debug)]
pub struct Instruction {
    pub name: &'static str,
    pub discriminator: Discriminator,
    pub docs: &'static str,
    pub accounts: &'static [InstructionAccount],
    pub remaining: Option<RemainingAccounts>,
    /// Borsh data after the discriminator byte.
    pub args: &'static [Arg],
}

/// One custom error.
#[derive(Clone, Copy, Debug)]
pub struct ErrorSpec {
    pub error: ChainferenceError,
    pub name: &'static str,
    pub message: &'static str,
}

/// Everything the IDL is built from.
#[derive(Clone, Copy, Debug)]
pub struct Interface {
    pub name: &'static str,
    pub docs: &'static str,
    pub accounts: &'static [&'static AccountType],
    pub enums: &'static [Enum],
    /// Fixed-size entry types stored in accounts.
    pub structs: &'static [Layout],
    /// Borsh structs of instruction data.
    pub borsh_structs: &'static [BorshStruct],
    pub instructions: &'static [Instruction],
    pub errors: &'static [ErrorSpec],
}

pub const INTERFACE: Interface = Interface {
    name: "chainference",
    docs: "Decentralized, private, streaming LLM inference settled on Solana.",
    accounts: &[
        &Config::TYPE,
        &FeeVault::TYPE,
        &Server::TYPE,
        &Request::TYPE,
        &Response::TYPE,
        &Session::TYPE,
    ],
    enums: &[
        crate::state::request::REQUEST_STATUS,
        crate::state::session::SESSION_STATUS,
    ],
    structs: &[ModelEntry::LAYOUT, AllowedServer::LAYOUT],
    borsh_structs: &[crate::instructions::model_input::MODEL_INPUT],
    instructions: &INSTRUCTIONS,
    errors: ChainferenceError::ALL,
};

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::instructions::model_input::MODEL_INPUT;
    use crate::state::request::RequestStatus;
    use std::{string::String, vec::Vec};

    /// A value for [`encode_args`].
    #[derive(Clone, Debug)]
    pub(crate) enum V<'a> {
        U8(u8),
        U16(u16),
        U32(u32),
        U64(u64),
        Flag(bool),
        /// `Ty::Address` or `Ty::Bytes(N)`: exactly the type's size.
        Fixed(&'a [u8]),
        /// `Ty::String` / `Ty::VarBytes`.
        Var(&'a [u8]),
        /// `Ty::Vec(T)`: each item already encoded; `Ty::Struct(T)`: one item (as `Fixed`).
        Items(Vec<Vec<u8>>),
    }

    /// Borsh-encodes `values` as `args` says: the names must be exactly the args' names in order
    /// and each value must fit its type, so a test that encodes its input with this and checks
    /// the parsed fields by name checks the description against the parser.
    pub(crate) fn encode_args(args: &[Arg], values: &[(&str, V)]) -> Vec<u8> {
        let names: Vec<&str> = args.iter().map(|a| a.name).collect();
        let given: Vec<&str> = values.iter().map(|(n, _)| *n).collect();
        assert_eq!(given, names, "argument names and order");
        let mut out = Vec::new();
        for (arg, (_, value)) in args.iter().zip(values) {
            match (arg.ty, value) {
                (Ty::U8, V::U8(v)) => out.push(*v),
                (Ty::U16, V::U16(v)) => out.extend_from_slice(&v.to_le_bytes()),
                (Ty::U32, V::U32(v)) => out.extend_from_slice(&v.to_le_bytes()),
                (Ty::U64, V::U64(v)) => out.extend_from_slice(&v.to_le_bytes()),
                (Ty::Flag, V::Flag(v)) => out.push(u8::from(*v)),
                (Ty::Address, V::Fixed(b)) | (Ty::Bytes(_), V::Fixed(b)) => {
                    assert_eq!(Some(b.len()), arg.ty.size(), "{}: size", arg.name);
                    out.extend_from_slice(b);
                }
                (Ty::Struct(_), V::Fixed(b)) => out.extend_from_slice(b),
                (Ty::String, V::Var(b)) | (Ty::VarBytes, V::Var(b)) => {
                    out.extend_from_slice(&(b.len() as u32).to_le_bytes());
                    out.extend_from_slice(b);
                }
                (Ty::Vec(_), V::Items(items)) => {
                    out.extend_from_slice(&(items.len() as u32).to_le_bytes());
                    for item in items {
                        out.extend_from_slice(item);
                    }
                }
                (ty, v) => panic!("{}: value {v:?} does not fit {ty:?}", arg.name),
            }
        }
        out
    }

    fn snake_to_pascal(name: &str) -> String {
        let mut out = String::new();
        for part in name.split('_') {
            let mut chars = part.chars();
            if let Some(first) = chars.next() {
                out.push(first.to_ascii_uppercase());
                out.push_str(chars.as_str());
            }
        }
        out
    }

    #[test]
    fn instructions_are_in_discriminator_order_and_named_after_it() {
        assert_eq!(INSTRUCTIONS.len(), 24);
        for (i, ix) in INSTRUCTIONS.iter().enumerate() {
            assert_eq!(ix.discriminator as usize, i, "{}", ix.name);
            assert_eq!(Discriminator::try_from(i as u8), Ok(ix.discriminator));
            assert_eq!(
                std::format!("{:?}", ix.discriminator),
                snake_to_pascal(ix.name)
            );
        }
        assert!(Discriminator::try_from(INSTRUCTIONS.len() as u8).is_err());
    }

    #[test]
    fn errors_are_listed_once_in_code_order() {
        let mut previous: Option<u32> = None;
        for e in ChainferenceError::ALL {
            let code = e.error as u32;
            assert!(code >= crate::errors::ERROR_BASE, "{}", e.name);
            // Increasing: codes are never reordered (a gap is a range reserved for another list).
            match previous {
                None => assert_eq!(code, crate::errors::ERROR_BASE, "{}", e.name),
                Some(p) => assert!(code > p, "{} (codes are never reordered)", e.name),
            }
            previous = Some(code);
            assert_eq!(std::format!("{:?}", e.error), e.name);
            assert!(
                !e.message.is_empty() && e.message.trim() == e.message,
                "{}",
                e.name
            );
        }
    }

    #[test]
    fn request_status_variants_match_the_enum() {
        let all = [
            RequestStatus::Open,
            RequestStatus::Locked,
            RequestStatus::Completed,
            RequestStatus::Cancelled,
            RequestStatus::Expired,
        ];
        let spec = crate::state::request::REQUEST_STATUS;
        assert_eq!(spec.variants.len(), all.len());
        for (i, (status, name)) in all.iter().zip(spec.variants).enumerate() {
            assert_eq!(*status as usize, i);
            assert_eq!(std::format!("{status:?}").to_lowercase(), *name);
        }
    }

    #[test]
    fn session_status_variants_match_the_enum() {
        use crate::state::SessionStatus;
        let all = [
            SessionStatus::Open,
            SessionStatus::Closing,
            SessionStatus::Closed,
        ];
        let spec = crate::state::session::SESSION_STATUS;
        assert_eq!(spec.variants.len(), all.len());
        for (i, (status, name)) in all.iter().zip(spec.variants).enumerate() {
            assert_eq!(*status as usize, i);
            assert_eq!(std::format!("{status:?}").to_lowercase(), *name);
        }
    }

    #[test]
    fn account_types_have_their_discriminator_and_prefix() {
        let expected: [(&AccountType, crate::state::AccountDiscriminator, &[u8]); 6] = [
            (&Config::TYPE, Config::DISCRIMINATOR, Config::PREFIX),
            (&FeeVault::TYPE, FeeVault::DISCRIMINATOR, FeeVault::PREFIX),
            (&Server::TYPE, Server::DISCRIMINATOR, Server::PREFIX),
            (&Request::TYPE, Request::DISCRIMINATOR, Request::PREFIX),
            (&Response::TYPE, Response::DISCRIMINATOR, Response::PREFIX),
            (&Session::TYPE, Session::DISCRIMINATOR, Session::PREFIX),
        ];
        for (ty, discriminator, prefix) in expected {
            assert_eq!(ty.discriminator, discriminator as u8, "{}", ty.layout.name);
            assert!(matches!(ty.seeds.first(), Some(Seed::Const(p)) if *p == prefix));
            assert_eq!(ty.layout.fields[0].ty, Ty::Discriminator);
            assert_eq!(ty.layout.fields[1].ty, Ty::Version);
        }
    }

    /// Every name a description refers to exists: account and arg defaults, PDA seeds, types.
    #[test]
    fn references_resolve() {
        let type_exists = |name: &str| {
            INTERFACE.structs.iter().any(|s| s.name == name)
                || INTERFACE.borsh_structs.iter().any(|s| s.name == name)
                || INTERFACE.enums.iter().any(|e| e.name == name)
        };
        let check_ty = |ty: Ty| match ty {
            Ty::Enum(n) | Ty::RemainderArray(n) | Ty::Vec(n) | Ty::Struct(n) => {
                assert!(type_exists(n), "unknown type {n}")
            }
            _ => {}
        };
        for account in INTERFACE.accounts {
            account.layout.fields.iter().for_each(|f| check_ty(f.ty));
        }
        for s in INTERFACE.structs {
            s.fields.iter().for_each(|f| check_ty(f.ty));
        }
        for s in INTERFACE.borsh_structs {
            s.fields.iter().for_each(|f| check_ty(f.ty));
        }
        assert_eq!(MODEL_INPUT.name, "modelInput");
        for ix in INTERFACE.instructions {
            let account = |name: &str| ix.accounts.iter().find(|a| a.name == name);
            for arg in ix.args {
                check_ty(arg.ty);
                if let ArgDefault::AccountBump(name) = arg.default {
                    assert!(
                        matches!(
                            account(name).map(|a| a.default),
                            Some(AccountDefault::Pda(..))
                        ),
                        "{}: {} takes the bump of {name}, which has no PDA default",
                        ix.name,
                        arg.name
                    );
                }
            }
            let mut names: Vec<&str> = ix.accounts.iter().map(|a| a.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(
                names.len(),
                ix.accounts.len(),
                "{}: duplicate names",
                ix.name
            );
            for a in ix.accounts {
                if let AccountDefault::Pda(ty, seeds) = a.default {
                    let vars: Vec<&str> = ty
                        .seeds
                        .iter()
                        .filter_map(|s| match s {
                            Seed::Var { name, .. } => Some(*name),
                            Seed::Const(_) => None,
                        })
                        .collect();
                    let given: Vec<&str> = seeds.iter().map(|(n, _)| *n).collect();
                    assert_eq!(given, vars, "{}: seeds of {}", ix.name, a.name);
                    for (_, value) in seeds {
                        match value {
                            SeedValue::Account(n) => {
                                assert!(account(n).is_some(), "{}: {n}", ix.name)
                            }
                            SeedValue::Arg(n) => {
                                assert!(ix.args.iter().any(|x| x.name == *n), "{}: {n}", ix.name)
                            }
                        }
                    }
                }
            }
            if let Some(r) = ix.remaining {
                assert!(r.min <= r.max && r.max > 0, "{}", ix.name);
                // The entrypoint keeps at most MAX_ACCOUNTS accounts: a longer list must still be
                // seen as too long (also a const assertion in `instructions`).
                assert!(ix.accounts.len() + r.max < crate::entrypoint::MAX_ACCOUNTS);
            }
        }
    }
}
