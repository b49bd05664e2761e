use pinocchio::error::ProgramError;

use crate::{
    borsh::Reader,
    constants::MAX_ALLOWED_SERVERS,
    errors::ChainferenceError,
    idl::{Arg, Ty},
    state::AllowedServer,
};

/// `nonce u64, bump u8, response_bump u8, model string, revision string, stake u64,
/// response_timeout u64, max_price_in u64, max_price_out u64, min_completed u64,
/// min_success_bps u16, min_avg_rating u16, client_key [32], allowed Vec<AllowedServer>,
/// prompt_len u32, prompt bytes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CreateRequestData<'a> {
    pub nonce: u64,
    pub bump: u8,
    /// Bump of the response PDA `["response", request]`, stored for the first `append_response`
    /// (the client's own lookup key: the SDK passes the canonical one; not verified on-chain).
    pub response_bump: u8,
    pub model: &'a [u8],
    pub revision: &'a [u8],
    pub stake: u64,
    /// 0 = the config's default.
    pub response_timeout: u64,
    pub max_price_in: u64,
    pub max_price_out: u64,
    pub min_completed: u64,
    pub min_success_bps: u16,
    pub min_avg_rating: u16,
    pub client_key: &'a [u8; 32],
    /// Allow-list entries (≤ `MAX_ALLOWED_SERVERS`) in their account encoding
    /// (`server [32], key_epoch u32, wrapped_key [48]`).
    pub allowed: &'a [[u8; AllowedServer::LEN]],
    pub prompt_len: u32,
    /// The first prompt bytes (`≤ prompt_len`; the rest comes with `append_prompt`).
    pub prompt: &'a [u8],
}

/// The Borsh fields after the discriminator, in order (`crate::idl`: the IDL and the generated
/// client come from this list; the tests below encode their input from it).
pub const ARGS: &[Arg] = &[
    Arg::new("nonce", Ty::U64),
    Arg::new("bump", Ty::U8).bump_of("request"),
    Arg::new("response_bump", Ty::U8),
    Arg::new("model", Ty::String),
    Arg::new("revision", Ty::String),
    Arg::new("stake", Ty::U64),
    Arg::new("response_timeout", Ty::U64).docs("0 = the config's default."),
    Arg::new("max_price_in", Ty::U64),
    Arg::new("max_price_out", Ty::U64),
    Arg::new("min_completed", Ty::U64),
    Arg::new("min_success_bps", Ty::U16),
    Arg::new("min_avg_rating", Ty::U16),
    Arg::new("client_key", Ty::Bytes(32)),
    Arg::new("allowed", Ty::Vec("allowedServer")),
    Arg::new("prompt_len", Ty::U32),
    Arg::new("prompt", Ty::VarBytes),
];

impl<'a> TryFrom<&'a [u8]> for CreateRequestData<'a> {
    type Error = ProgramError;

    #[inline(always)]
    fn try_from(data: &'a [u8]) -> Result<Self, Self::Error> {
        let mut reader = Reader::new(data);
        let nonce = reader.read_u64()?;
        let bump = reader.read_u8()?;
        let response_bump = reader.read_u8()?;
        let model = reader.string()?;
        let revision = reader.string()?;
        let stake = reader.read_u64()?;
        let response_timeout = reader.read_u64()?;
        let max_price_in = reader.read_u64()?;
        let max_price_out = reader.read_u64()?;
        let min_completed = reader.read_u64()?;
        let min_success_bps = reader.read_u16()?;
        let min_avg_rating = reader.read_u16()?;
        let client_key = reader.array::<32>()?;
        let allowed_count = reader.vec_len()?;
        if allowed_count > MAX_ALLOWED_SERVERS {
            return Err(ChainferenceError::TooManyAllowedServers.into());
        }
        // `allowed_count ≤ 8`: no wrap.
        let (allowed, _) = reader
            .take(allowed_count.wrapping_mul(AllowedServer::LEN))?
            .as_chunks::<{ AllowedServer::LEN }>();
        let prompt_len = reader.read_u32()?;
        let prompt = reader.bytes()?;
        reader.finish()?;
        Ok(Self {
            nonce,
            bump,
            response_bump,
            model,
            revision,
            stake,
            response_timeout,
            max_price_in,
            max_price_out,
            min_completed,
            min_success_bps,
            min_avg_rating,
            client_key,
            allowed,
            prompt_len,
            prompt,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::idl::tests::{encode_args, V};
    use std::vec::Vec;

    pub(crate) fn encode(allowed: &[[u8; 84]], prompt_len: u32, prompt: &[u8]) -> Vec<u8> {
        encode_args(
            ARGS,
            &[
                ("nonce", V::U64(42)),
                ("bump", V::U8(254)),
                ("response_bump", V::U8(253)),
                ("model", V::Var(b"org/name")),
                ("revision", V::Var(b"main")),
                ("stake", V::U64(1_000_000)),
                ("response_timeout", V::U64(0)),
                ("max_price_in", V::U64(500)),
                ("max_price_out", V::U64(600)),
                ("min_completed", V::U64(3)),
                ("min_success_bps", V::U16(9_000)),
                ("min_avg_rating", V::U16(450)),
                ("client_key", V::Fixed(&[7u8; 32])),
                (
                    "allowed",
                    V::Items(allowed.iter().map(|a| a.to_vec()).collect()),
                ),
                ("prompt_len", V::U32(prompt_len)),
                ("prompt", V::Var(prompt)),
            ],
        )
    }

    #[test]
    fn parses_every_field() {
        let mut a = [[0u8; 84]; 2];
        a[0][0] = 1;
        a[1][0] = 2;
        a[1][83] = 0xEE;
        let bytes = encode(&a, 10, b"abc");
        let d = CreateRequestData::try_from(bytes.as_slice()).unwrap();
        assert_eq!(d.nonce, 42);
        assert_eq!(d.bump, 254);
        assert_eq!(d.response_bump, 253);
        assert_eq!(d.model, b"org/name");
        assert_eq!(d.revision, b"main");
        assert_eq!(d.stake, 1_000_000);
        assert_eq!(d.response_timeout, 0);
        assert_eq!(d.max_price_in, 500);
        assert_eq!(d.max_price_out, 600);
        assert_eq!(d.min_completed, 3);
        assert_eq!(d.min_success_bps, 9_000);
        assert_eq!(d.min_avg_rating, 450);
        assert_eq!(d.client_key, &[7u8; 32]);
        assert_eq!(d.allowed.len(), 2);
        assert_eq!(d.allowed[1][0], 2);
        assert_eq!(d.allowed[1][83], 0xEE);
        assert_eq!(d.prompt_len, 10);
        assert_eq!(d.prompt, b"abc");
    }

    #[test]
    fn rejects_trailing_short_and_long_lists() {
        let mut bytes = encode(&[], 3, b"abc");
        assert!(CreateRequestData::try_from(bytes.as_slice()).is_ok());
        bytes.push(0);
        assert_eq!(
            CreateRequestData::try_from(bytes.as_slice()),
            Err(ChainferenceError::InvalidInstructionData.into())
        );
        bytes.truncate(bytes.len() - 2);
        assert_eq!(
            CreateRequestData::try_from(bytes.as_slice()),
            Err(ChainferenceError::InvalidInstructionData.into())
        );
        let nine = encode(&[[0u8; 84]; 9], 0, b"");
        assert_eq!(
            CreateRequestData::try_from(nine.as_slice()),
            Err(ChainferenceError::TooManyAllowedServers.into())
        );
    }
}
