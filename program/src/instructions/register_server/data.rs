use pinocchio::error::ProgramError;

use crate::{
    borsh::Reader,
    constants::MAX_ENDPOINT_LEN,
    errors::ChainferenceError,
    idl::{Arg, Ty},
    instructions::model_input::ModelInputs,
};

/// An X25519 public key; `InvalidX25519Key` when all zero.
#[inline(always)]
pub fn read_x25519_key<'a>(reader: &mut Reader<'a>) -> Result<&'a [u8; 32], ProgramError> {
    let key = reader.array::<32>()?;
    // Four 8-byte words OR-ed together (a byte loop costs ~3 CU per byte on BPF).
    let (words, _) = key.as_chunks::<8>();
    let any = words
        .iter()
        .fold(0u64, |acc, w| acc | u64::from_ne_bytes(*w));
    if any == 0 {
        return Err(ChainferenceError::InvalidX25519Key.into());
    }
    Ok(key)
}

/// The optional endpoint URL (`string`); `EndpointTooLong` above `MAX_ENDPOINT_LEN`.
#[inline(always)]
pub fn read_endpoint<'a>(reader: &mut Reader<'a>) -> Result<&'a [u8], ProgramError> {
    let endpoint = reader.string()?;
    if endpoint.len() > MAX_ENDPOINT_LEN {
        return Err(ChainferenceError::EndpointTooLong.into());
    }
    Ok(endpoint)
}

/// `bump u8, x25519_key [32], endpoint string, models Vec<ModelInput>`.
#[derive(Clone, Copy, Debug)]
pub struct RegisterServerData<'a> {
    /// Bump of the server PDA `["server", operator, [bump]]`; `invoke_signed` proves it.
    pub bump: u8,
    pub x25519_key: &'a [u8; 32],
    pub endpoint: &'a [u8],
    pub models: ModelInputs<'a>,
}

/// The Borsh fields after the discriminator, in order (`crate::idl`: the IDL and the generated
/// client come from this list; the tests below encode their input from it).
pub const ARGS: &[Arg] = &[
    Arg::new("bump", Ty::U8).bump_of("server"),
    Arg::new("x25519_key", Ty::Bytes(32)),
    Arg::new("endpoint", Ty::String),
    Arg::new("models", Ty::Vec("modelInput")),
];

impl<'a> TryFrom<&'a [u8]> for RegisterServerData<'a> {
    type Error = ProgramError;

    fn try_from(data: &'a [u8]) -> Result<Self, Self::Error> {
        let mut reader = Reader::new(data);
        let parsed = Self {
            bump: reader.read_u8()?,
            x25519_key: read_x25519_key(&mut reader)?,
            endpoint: read_endpoint(&mut reader)?,
            models: ModelInputs::read(&mut reader)?,
        };
        reader.finish()?;
        Ok(parsed)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::idl::tests::{encode_args, V};
    use crate::instructions::model_input::MODEL_INPUT;
    use crate::state::Server;
    use std::vec::Vec;

    /// One Borsh `ModelInput` (price_in = price_out = `price`, max_context 4096).
    pub fn model(id: &str, rev: &str, quant: &str, price: u64) -> Vec<u8> {
        encode_args(
            MODEL_INPUT.fields,
            &[
                ("hf_id", V::Var(id.as_bytes())),
                ("revision", V::Var(rev.as_bytes())),
                ("quantization", V::Var(quant.as_bytes())),
                ("price_in", V::U64(price)),
                ("price_out", V::U64(price)),
                ("max_context", V::U32(4096)),
            ],
        )
    }

    fn encode(key: [u8; 32], endpoint: &[u8], models: &[(&str, &str, &str, u64)]) -> Vec<u8> {
        encode_args(
            ARGS,
            &[
                ("bump", V::U8(254)),
                ("x25519_key", V::Fixed(&key)),
                ("endpoint", V::Var(endpoint)),
                (
                    "models",
                    V::Items(
                        models
                            .iter()
                            .map(|(i, r, q, p)| model(i, r, q, *p))
                            .collect(),
                    ),
                ),
            ],
        )
    }

    /// Parses, then validates and writes the models into a fresh (zeroed) Server buffer, as the
    /// processor does; returns the model count and the account bytes.
    fn parse_into(v: &[u8]) -> Result<(usize, Vec<u8>), ProgramError> {
        let d = RegisterServerData::try_from(v)?;
        let n = d.models.len();
        let mut buf = std::vec![0u8; Server::space(n)];
        let (_, models) = Server::init(&mut buf, n)?;
        d.models.write_into(models)?;
        Ok((n, buf))
    }

    fn parse(v: &[u8]) -> Result<usize, ProgramError> {
        parse_into(v).map(|(n, _)| n)
    }

    fn err(e: ChainferenceError) -> Result<usize, ProgramError> {
        Err(e.into())
    }

    const M: (&str, &str, &str, u64) = ("org/name", "main", "Q4_K_M", 1000);

    #[test]
    fn valid_and_iterates() {
        let v = encode(
            [1; 32],
            b"https://a.b",
            &[M, ("org/name", "", "Q4_K_M", 5), ("org/other", "", "", 0)],
        );
        let d = RegisterServerData::try_from(v.as_slice()).unwrap();
        assert_eq!(d.bump, 254);
        assert_eq!(d.endpoint, b"https://a.b");
        let (n, buf) = parse_into(&v).unwrap();
        assert_eq!(n, 3);
        let (_, items) = Server::load_with_models(&buf).unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].revision(), b"main");
        assert_eq!(items[0].quantization(), b"Q4_K_M");
        assert_eq!(items[1].hf_id(), b"org/name");
        assert_eq!(items[1].revision(), b"");
        assert_eq!(items[1].price_in(), 5);
        assert_eq!(items[1].max_context(), 4096);
        assert_eq!(items[2].hf_id(), b"org/other");
    }

    #[test]
    fn rejects() {
        assert_eq!(
            parse(&encode([0; 32], b"", &[M])),
            err(ChainferenceError::InvalidX25519Key)
        );
        assert_eq!(
            parse(&encode([1; 32], &[b'a'; 129], &[M])),
            err(ChainferenceError::EndpointTooLong)
        );
        assert!(parse(&encode([1; 32], &[b'a'; 128], &[M])).is_ok());
        assert_eq!(
            parse(&encode([1; 32], b"", &[])),
            err(ChainferenceError::NoModels)
        );
        let many: Vec<(&str, &str, &str, u64)> = (0..17).map(|_| M).collect();
        assert_eq!(
            parse(&encode([1; 32], b"", &many)),
            err(ChainferenceError::TooManyModels)
        );
        assert_eq!(
            parse(&encode([1; 32], b"", &[("bad", "", "", 1)])),
            err(ChainferenceError::InvalidModelId)
        );
        assert_eq!(
            parse(&encode([1; 32], b"", &[("a/b", "x y", "", 1)])),
            err(ChainferenceError::InvalidRevision)
        );
        assert_eq!(
            parse(&encode([1; 32], b"", &[("a/b", "", "Q 4", 1)])),
            err(ChainferenceError::InvalidQuantization)
        );
        assert_eq!(
            parse(&encode([1; 32], b"", &[("a/b", "", "", 1_000_000_000_001)])),
            err(ChainferenceError::PriceTooHigh)
        );
        assert!(parse(&encode([1; 32], b"", &[("a/b", "", "", 1_000_000_000_000)])).is_ok());
        let mut trailing = encode([1; 32], b"", &[M]);
        trailing.push(0);
        assert_eq!(
            parse(&trailing),
            err(ChainferenceError::InvalidInstructionData)
        );
        let mut short = encode([1; 32], b"", &[M]);
        short.pop();
        assert_eq!(
            parse(&short),
            err(ChainferenceError::InvalidInstructionData)
        );
        // 16 distinct models are fine.
        let ids: Vec<std::string::String> = (0..16).map(|i| std::format!("org/m{i}")).collect();
        let sixteen: Vec<(&str, &str, &str, u64)> =
            ids.iter().map(|s| (s.as_str(), "", "", 1)).collect();
        assert_eq!(parse(&encode([1; 32], b"", &sixteen)), Ok(16));
        // Duplicates: same key anywhere in the list; differing only in revision or quantization,
        // or in an hf_id byte the fingerprint does not cover, is not a duplicate.
        let mut dup = sixteen.clone();
        dup[15] = dup[3];
        assert_eq!(
            parse(&encode([1; 32], b"", &dup)),
            err(ChainferenceError::DuplicateModel)
        );
        assert_eq!(
            parse(&encode([1; 32], b"", &[M, ("org/other", "", "", 0), M])),
            err(ChainferenceError::DuplicateModel)
        );
        assert_eq!(
            parse(&encode(
                [1; 32],
                b"",
                &[M, ("org/name", "main", "Q4_K_S", 1000)]
            )),
            Ok(2)
        );
        assert_eq!(
            parse(&encode(
                [1; 32],
                b"",
                &[M, ("org/name", "mainx", "Q4_K_M", 1000)]
            )),
            Ok(2)
        );
        let near = [
            ("org/abcdefgh-1234567", "", "", 1),
            ("org/abcdefgX-1234567", "", "", 1),
            ("org/abcdefgh-1234567", "", "", 2),
        ];
        assert_eq!(parse(&encode([1; 32], b"", &near[..2])), Ok(2));
        assert_eq!(
            parse(&encode([1; 32], b"", &near)),
            err(ChainferenceError::DuplicateModel)
        );
    }
}
