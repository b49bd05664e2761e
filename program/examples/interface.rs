//! Prints the program's interface description ([`chainference::idl::INTERFACE`]) as JSON on stdout:
//! the input of `scripts/generate-idl.ts` (`npm run generate`), which builds the Codama IDL and the
//! layout tables of `docs/protocol.md` from it.
//!
//! `cargo run --quiet -p chainference --example interface`

use std::fmt::Write as _;

use chainference::idl::{
    AccountDefault, AccountType, Arg, ArgDefault, Instruction, InstructionAccount, Layout, Seed,
    SeedValue, Ty, INTERFACE,
};

/// A JSON value written by hand (the program crate has no serde).
enum J {
    Null,
    Bool(bool),
    Num(u64),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(&'static str, J)>),
}

fn s(value: &str) -> J {
    J::Str(value.to_owned())
}

fn num(value: usize) -> J {
    J::Num(value as u64)
}

fn write(out: &mut String, value: &J, indent: usize) {
    let pad = "  ".repeat(indent.saturating_add(1));
    let end = "  ".repeat(indent);
    match value {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Num(n) => write!(out, "{n}").unwrap(),
        J::Str(text) => {
            out.push('"');
            for c in text.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32).unwrap(),
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        J::Arr(items) if items.is_empty() => out.push_str("[]"),
        J::Arr(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad);
                write(out, item, indent.saturating_add(1));
                out.push_str(if i.saturating_add(1) < items.len() {
                    ",\n"
                } else {
                    "\n"
                });
            }
            out.push_str(&end);
            out.push(']');
        }
        J::Obj(fields) => {
            out.push_str("{\n");
            for (i, (key, item)) in fields.iter().enumerate() {
                write!(out, "{pad}\"{key}\": ").unwrap();
                write(out, item, indent.saturating_add(1));
                out.push_str(if i.saturating_add(1) < fields.len() {
                    ",\n"
                } else {
                    "\n"
                });
            }
            out.push_str(&end);
            out.push('}');
        }
    }
}

fn ty(t: Ty) -> J {
    let kind = |k: &str| vec![("kind", s(k))];
    J::Obj(match t {
        Ty::Discriminator => kind("discriminator"),
        Ty::Version => kind("version"),
        Ty::U8 => kind("u8"),
        Ty::U16 => kind("u16"),
        Ty::U32 => kind("u32"),
        Ty::U64 => kind("u64"),
        Ty::Flag => kind("flag"),
        Ty::Address => kind("address"),
        Ty::Bytes(n) => vec![("kind", s("bytes")), ("size", num(n))],
        Ty::PaddedString(n) => vec![("kind", s("paddedString")), ("size", num(n))],
        Ty::ShortString(n) => vec![("kind", s("shortString")), ("size", num(n))],
        Ty::Enum(name) => vec![("kind", s("enum")), ("name", s(name))],
        Ty::RemainderBytes => kind("remainderBytes"),
        Ty::RemainderArray(item) => vec![("kind", s("remainderArray")), ("item", s(item))],
        Ty::String => kind("string"),
        Ty::VarBytes => kind("varBytes"),
        Ty::Vec(item) => vec![("kind", s("vec")), ("item", s(item))],
        Ty::Struct(item) => vec![("kind", s("struct")), ("item", s(item))],
    })
}

fn layout(l: &Layout) -> Vec<(&'static str, J)> {
    vec![
        ("name", s(l.name)),
        ("docs", s(l.docs)),
        ("size", num(l.size)),
        (
            "fields",
            J::Arr(
                l.fields
                    .iter()
                    .map(|f| {
                        J::Obj(vec![
                            ("name", s(f.name)),
                            ("offset", num(f.offset)),
                            ("type", ty(f.ty)),
                            ("docs", s(f.docs)),
                        ])
                    })
                    .collect(),
            ),
        ),
    ]
}

fn account_type(a: &AccountType) -> J {
    let seeds = a
        .seeds
        .iter()
        .map(|seed| match seed {
            Seed::Const(bytes) => J::Obj(vec![
                ("kind", s("constant")),
                ("value", s(std::str::from_utf8(bytes).expect("UTF-8 seed"))),
            ]),
            Seed::Var { name, ty: t, docs } => J::Obj(vec![
                ("kind", s("variable")),
                ("name", s(name)),
                ("type", ty(*t)),
                ("docs", s(docs)),
            ]),
        })
        .collect();
    let mut fields = vec![
        ("discriminator", J::Num(a.discriminator.into())),
        ("seeds", J::Arr(seeds)),
    ];
    fields.extend(layout(&a.layout));
    J::Obj(fields)
}

fn arg(a: &Arg) -> J {
    J::Obj(vec![
        ("name", s(a.name)),
        ("type", ty(a.ty)),
        (
            "default",
            match a.default {
                ArgDefault::None => J::Null,
                ArgDefault::AccountBump(account) => {
                    J::Obj(vec![("kind", s("accountBump")), ("account", s(account))])
                }
            },
        ),
        ("docs", s(a.docs)),
    ])
}

fn instruction_account(a: &InstructionAccount) -> J {
    let default = match a.default {
        AccountDefault::None => J::Null,
        AccountDefault::SystemProgram => J::Obj(vec![("kind", s("systemProgram"))]),
        AccountDefault::InstructionsSysvar => J::Obj(vec![("kind", s("instructionsSysvar"))]),
        AccountDefault::ProgramData => J::Obj(vec![("kind", s("programData"))]),
        AccountDefault::Pda(account, seeds) => J::Obj(vec![
            ("kind", s("pda")),
            ("account", s(account.layout.name)),
            (
                "seeds",
                J::Arr(
                    seeds
                        .iter()
                        .map(|(name, value)| {
                            let (kind, from) = match value {
                                SeedValue::Account(n) => ("account", n),
                                SeedValue::Arg(n) => ("arg", n),
                            };
                            J::Obj(vec![
                                ("name", s(name)),
                                ("kind", s(kind)),
                                ("from", s(from)),
                            ])
                        })
                        .collect(),
                ),
            ),
        ]),
    };
    J::Obj(vec![
        ("name", s(a.name)),
        ("signer", J::Bool(a.signer)),
        ("writable", J::Bool(a.writable)),
        ("optional", J::Bool(a.optional)),
        ("mayBeWritable", J::Bool(a.may_be_writable)),
        ("default", default),
        ("docs", s(a.docs)),
    ])
}

fn instruction(ix: &Instruction) -> J {
    J::Obj(vec![
        ("name", s(ix.name)),
        ("discriminator", J::Num(ix.discriminator as u64)),
        ("docs", s(ix.docs)),
        (
            "accounts",
            J::Arr(ix.accounts.iter().map(instruction_account).collect()),
        ),
        (
            "remaining",
            match ix.remaining {
                None => J::Null,
                Some(r) => J::Obj(vec![
                    ("name", s(r.name)),
                    ("min", num(r.min)),
                    ("max", num(r.max)),
                    ("writable", J::Bool(r.writable)),
                    ("docs", s(r.docs)),
                ]),
            },
        ),
        ("args", J::Arr(ix.args.iter().map(arg).collect())),
    ])
}

fn main() {
    let i = INTERFACE;
    let root = J::Obj(vec![
        ("name", s(i.name)),
        ("version", s(env!("CARGO_PKG_VERSION"))),
        ("docs", s(i.docs)),
        (
            "accountVersion",
            J::Num(chainference::state::VERSION.into()),
        ),
        (
            "accounts",
            J::Arr(i.accounts.iter().map(|a| account_type(a)).collect()),
        ),
        (
            "enums",
            J::Arr(
                i.enums
                    .iter()
                    .map(|e| {
                        J::Obj(vec![
                            ("name", s(e.name)),
                            ("docs", s(e.docs)),
                            (
                                "variants",
                                J::Arr(e.variants.iter().map(|v| s(v)).collect()),
                            ),
                        ])
                    })
                    .collect(),
            ),
        ),
        (
            "structs",
            J::Arr(i.structs.iter().map(|l| J::Obj(layout(l))).collect()),
        ),
        (
            "borshStructs",
            J::Arr(
                i.borsh_structs
                    .iter()
                    .map(|b| {
                        J::Obj(vec![
                            ("name", s(b.name)),
                            ("docs", s(b.docs)),
                            ("fields", J::Arr(b.fields.iter().map(arg).collect())),
                        ])
                    })
                    .collect(),
            ),
        ),
        (
            "instructions",
            J::Arr(i.instructions.iter().map(instruction).collect()),
        ),
        (
            "errors",
            J::Arr(
                i.errors
                    .iter()
                    .map(|e| {
                        J::Obj(vec![
                            ("name", s(e.name)),
                            ("code", J::Num(e.error as u64)),
                            ("message", s(e.message)),
                        ])
                    })
                    .collect(),
            ),
        ),
    ]);
    let mut out = String::new();
    write(&mut out, &root, 0);
    println!("{out}");
}
