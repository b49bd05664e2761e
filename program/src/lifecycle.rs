//! Helpers shared by the request lifecycle instructions (`create_request` … `close_response`) and
//! the session instructions: the shared `[client, request]` accounts, the current slot, the
//! lock-holder check, cheap id comparisons, the client's filters checked at lock and at
//! `open_session` ([`select_offer`]), and the settlement math. All arithmetic goes through [`crate::math`] (no u128, no u64 `*`).

use pinocchio::{error::ProgramError, sysvars::clock::CLOCK_ID, AccountView, Address};

use crate::{
    checks::{
        check_owner, check_signer, check_writable, check_writable_signer, eq32, exact_accounts,
    },
    constants::{BPS_DENOMINATOR, TOKENS_PER_PRICE_UNIT},
    errors::ChainferenceError,
    math::{add_u64, mul_div_ceil, mul_div_floor, sub_u64},
    state::{ModelEntry, Request, Server},
};

/// Average ratings are stored × 100 (`min_avg_rating` 450 = 4.5 stars).
pub const RATING_SCALE: u64 = 100;

/// Largest meaningful `min_avg_rating`: `MAX_RATING × RATING_SCALE`.
pub const MAX_MIN_AVG_RATING: u16 = 500;
const _: () =
    assert!(MAX_MIN_AVG_RATING as u64 == crate::constants::MAX_RATING as u64 * RATING_SCALE);

/// The `[client, request]` accounts of `append_prompt` (`CLIENT_WRITABLE = false`) and
/// `cancel_request` (`true`: the client receives every lamport of the request), checked in this order:
/// exactly two accounts (`NotEnoughAccounts`, `TooManyAccounts`), client signer (`MissingSigner`), client writable when
/// `CLIENT_WRITABLE`, then request writable (`AccountNotWritable`), owned by the program
/// (`InvalidAccountOwner`), a `Request` (the errors of [`Request::load`]) whose `client` is this
/// client (`ClientMismatch`; so the client is a wallet, never the request itself).
#[inline(always)]
pub fn client_request_accounts<'a, const CLIENT_WRITABLE: bool>(
    program_id: &Address,
    accounts: &'a mut [AccountView],
) -> Result<(&'a mut AccountView, &'a mut AccountView), ProgramError> {
    let [client, request] = exact_accounts::<2>(accounts)?;

    // 1. Signers (with the writability of a writable client in the same check).
    if CLIENT_WRITABLE {
        check_writable_signer(client)?;
    } else {
        check_signer(client)?;
    }

    // 2. Writability.
    check_writable(request)?;

    // 3. Owners.
    check_owner(request, program_id)?;

    // 4. Discriminators.
    // SAFETY: read-only view, dropped before the processor borrows the data mutably or closes the account.
    let loaded = Request::load(unsafe { request.borrow_unchecked() })?;

    // 5. Relations.
    if !eq32(loaded.client(), client.address().as_array()) {
        return Err(ChainferenceError::ClientMismatch.into());
    }

    Ok((client, request))
}

/// The current slot: the first 8 bytes of the Clock sysvar, read with `sol_get_sysvar` (no
/// sysvar account needed). The host build (unit tests) returns 0.
#[inline(always)]
pub fn current_slot() -> Result<u64, ProgramError> {
    let mut slot = [0u8; 8];
    pinocchio::sysvars::get_sysvar(&mut slot, &CLOCK_ID, 0)?;
    Ok(u64::from_le_bytes(slot))
}

/// A request a server may still take (`lock_request`) or a client hand to another server
/// (`hand_off_request`): Open (`RequestNotOpen`), sealed (`PromptNotSealed`) and within its open
/// window (`RequestExpired`). Returns the current slot.
#[inline(always)]
pub fn check_takeable(request: &Request) -> Result<u64, ProgramError> {
    if !request.is_open() {
        return Err(ChainferenceError::RequestNotOpen.into());
    }
    if !request.is_sealed() {
        return Err(ChainferenceError::PromptNotSealed.into());
    }
    let now = current_slot()?;
    if now > request.open_until_slot() {
        return Err(ChainferenceError::RequestExpired.into());
    }
    Ok(now)
}

/// The signer operates `server`, and `server` holds `request`'s lock: what every step a locking
/// server takes after `lock_request` must prove.
#[inline(always)]
pub fn check_lock_holder(
    server: &Server,
    server_address: &Address,
    request: &Request,
    operator: &Address,
) -> Result<(), ProgramError> {
    if !eq32(server.operator(), operator.as_array()) {
        return Err(ChainferenceError::OperatorMismatch.into());
    }
    if !request.is_locked() {
        return Err(ChainferenceError::RequestNotLocked.into());
    }
    if !eq32(request.locked_by(), server_address.as_array()) {
        return Err(ChainferenceError::NotLockedByServer.into());
    }
    Ok(())
}

/// Byte-slice equality, 8 bytes per step (model ids are up to 96 bytes and a server may list the
/// same id 16 times, so a byte loop would cost thousands of CU at lock).
#[inline(always)]
pub fn ids_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut a_words = a.chunks_exact(8);
    let mut b_words = b.chunks_exact(8);
    for (x, y) in (&mut a_words).zip(&mut b_words) {
        // `chunks_exact(8)` yields exactly 8 bytes.
        let x = u64::from_le_bytes([x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]]);
        let y = u64::from_le_bytes([y[0], y[1], y[2], y[3], y[4], y[5], y[6], y[7]]);
        if x != y {
            return false;
        }
    }
    a_words
        .remainder()
        .iter()
        .zip(b_words.remainder())
        .all(|(x, y)| x == y)
}

/// Success rate in basis points: `paid × 10000 / (paid + expired)`, 0 with no history (called with
/// the server's paid volume and expired volume, lamports).
#[inline(always)]
pub fn success_rate_bps(completed: u64, expired: u64) -> Result<u64, ProgramError> {
    let total = add_u64(completed, expired)?;
    if total == 0 {
        return Ok(0);
    }
    mul_div_floor(completed, BPS_DENOMINATOR, total)
}

/// Average rating × 100: `rating_sum × 100 / rating_count`, 0 with no ratings.
#[inline(always)]
pub fn avg_rating_x100(rating_sum: u64, rating_count: u64) -> Result<u64, ProgramError> {
    if rating_count == 0 {
        return Ok(0);
    }
    mul_div_floor(rating_sum, RATING_SCALE, rating_count)
}

/// What a client asks of a server: the model (and pinned revision), price maxima and reputation
/// minima. `lock_request` reads them from the Request, `open_session` from its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientFilters<'a> {
    pub model: &'a [u8],
    /// Empty = any revision.
    pub revision: &'a [u8],
    pub max_price_in: u64,
    pub max_price_out: u64,
    pub min_completed: u64,
    pub min_success_bps: u16,
    /// Rating × 100, 0 = none.
    pub min_avg_rating: u16,
}

/// The model entry a server serves a client at, after every filter the client set (the checks of
/// `lock_request` and `open_session`, in this order):
/// - the first entry with the model id (and the revision, when one is pinned) whose prices are
///   within the maxima; `ModelNotOffered` when no entry has the model, `PriceAboveMax` when every
///   entry that has it is too expensive;
/// - `completed ≥ min_completed` (`NotEnoughCompleted`; counted completions only), success rate by
///   volume ≥ `min_success_bps` (`SuccessRateTooLow`: paid volume against the stake of abandoned
///   locks), cost-weighted average rating × 100 ≥ `min_avg_rating` (`RatingTooLow`).
#[inline(always)]
pub fn select_offer<'m>(
    server: &Server,
    models: &'m [ModelEntry],
    filters: &ClientFilters,
) -> Result<&'m ModelEntry, ProgramError> {
    let entry = find_model(models, filters)?;
    let completed = server.completed();
    if completed < filters.min_completed {
        return Err(ChainferenceError::NotEnoughCompleted.into());
    }
    if success_rate_bps(server.paid_volume(), server.expired_volume())?
        < filters.min_success_bps as u64
    {
        return Err(ChainferenceError::SuccessRateTooLow.into());
    }
    if avg_rating_x100(server.rating_sum(), server.rating_count())? < filters.min_avg_rating as u64
    {
        return Err(ChainferenceError::RatingTooLow.into());
    }
    Ok(entry)
}

/// The model part of [`select_offer`].
#[inline(always)]
fn find_model<'m>(
    models: &'m [ModelEntry],
    filters: &ClientFilters,
) -> Result<&'m ModelEntry, ChainferenceError> {
    let (model, revision) = (filters.model, filters.revision);
    let mut offered = false;
    for entry in models {
        if !ids_eq(entry.hf_id(), model)
            || (!revision.is_empty() && !ids_eq(entry.revision(), revision))
        {
            continue;
        }
        if entry.price_in() <= filters.max_price_in && entry.price_out() <= filters.max_price_out {
            return Ok(entry);
        }
        offered = true;
    }
    Err(if offered {
        ChainferenceError::PriceAboveMax
    } else {
        ChainferenceError::ModelNotOffered
    })
}

/// `⌈tokens × price_per_million / 10^6⌉` lamports.
#[inline(always)]
pub fn token_cost(tokens: u64, price_per_million: u64) -> Result<u64, ProgramError> {
    mul_div_ceil(tokens, price_per_million, TOKENS_PER_PRICE_UNIT)
}

/// How the stake splits when a request completes. `operator + fee = cost ≤ stake`; the client
/// gets the rest of the request account's lamports (`stake − cost` + rent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settlement {
    /// Lamports charged: `min(stake, ⌈tin·pin/10^6⌉ + ⌈tout·pout/10^6⌉)`.
    pub cost: u64,
    /// Protocol fee: `⌊cost · fee_bps / 10000⌋`, to the fee vault shard.
    pub fee: u64,
    /// `cost − fee`, to the operator.
    pub operator_share: u64,
}

/// Tokens and locked prices of a completed request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Usage {
    pub tokens_in: u64,
    pub price_in: u64,
    pub tokens_out: u64,
    pub price_out: u64,
}

/// Settlement math (`docs/protocol.md` § Rules → complete_request).
#[inline(always)]
pub fn settle(stake: u64, usage: &Usage, fee_bps: u16) -> Result<Settlement, ProgramError> {
    let raw = add_u64(
        token_cost(usage.tokens_in, usage.price_in)?,
        token_cost(usage.tokens_out, usage.price_out)?,
    )?;
    let cost = if raw < stake { raw } else { stake };
    let fee = mul_div_floor(cost, fee_bps as u64, BPS_DENOMINATOR)?;
    Ok(Settlement {
        cost,
        fee,
        operator_share: sub_u64(cost, fee)?,
    })
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // test reference math in u128
mod tests {
    use super::*;
    use crate::{constants::MAX_PRICE_PER_M, errors::ChainferenceError};

    fn reference(stake: u64, u: &Usage, fee_bps: u16) -> (u64, u64, u64) {
        let cin = (u.tokens_in as u128 * u.price_in as u128).div_ceil(1_000_000);
        let cout = (u.tokens_out as u128 * u.price_out as u128).div_ceil(1_000_000);
        let cost = (cin + cout).min(stake as u128);
        let fee = cost * fee_bps as u128 / 10_000;
        (cost as u64, fee as u64, (cost - fee) as u64)
    }

    use crate::test_support::XorShift;

    #[test]
    fn settlement_examples() {
        // 1,000 in + 500 out at 2,000 / 10,000 lamports per M tokens: 2 + 5 = 7 lamports.
        let u = Usage {
            tokens_in: 1_000,
            price_in: 2_000,
            tokens_out: 500,
            price_out: 10_000,
        };
        let s = settle(1_000_000, &u, 1_000).unwrap();
        assert_eq!(
            s,
            Settlement {
                cost: 7,
                fee: 0,
                operator_share: 7
            }
        );
        // Rounding up per side: 1 token at 1 lamport/M costs 1 lamport.
        let u = Usage {
            tokens_in: 1,
            price_in: 1,
            tokens_out: 1,
            price_out: 1,
        };
        assert_eq!(settle(10, &u, 0).unwrap().cost, 2);
        // Capped at the stake; fee floors.
        let u = Usage {
            tokens_in: 1_000_000,
            price_in: 5_000_000,
            tokens_out: 0,
            price_out: 0,
        };
        let s = settle(1_234_567, &u, 1_000).unwrap();
        assert_eq!(
            s,
            Settlement {
                cost: 1_234_567,
                fee: 123_456,
                operator_share: 1_111_111
            }
        );
        // Zero tokens: zero cost.
        let u = Usage {
            tokens_in: 0,
            price_in: 9,
            tokens_out: 0,
            price_out: 9,
        };
        assert_eq!(
            settle(5, &u, 2_500).unwrap(),
            Settlement {
                cost: 0,
                fee: 0,
                operator_share: 0
            }
        );
        // Extremes: u32 tokens at the max price fit in u64.
        let u = Usage {
            tokens_in: u32::MAX as u64,
            price_in: MAX_PRICE_PER_M,
            tokens_out: u32::MAX as u64,
            price_out: MAX_PRICE_PER_M,
        };
        let s = settle(u64::MAX, &u, 2_500).unwrap();
        assert_eq!(
            (s.cost, s.fee, s.operator_share),
            reference(u64::MAX, &u, 2_500)
        );
    }

    #[test]
    fn settlement_property_against_u128() {
        let mut rng = XorShift(0xDEAD_BEEF_CAFE_F00D);
        for _ in 0..200_000 {
            let u = Usage {
                tokens_in: rng.next() & 0xFFFF_FFFF,
                price_in: rng.next() % (MAX_PRICE_PER_M + 1),
                tokens_out: rng.next() & 0xFFFF_FFFF,
                price_out: rng.next() % (MAX_PRICE_PER_M + 1),
            };
            let stake = match rng.next() % 3 {
                0 => rng.next(),
                1 => rng.next() >> (rng.next() % 64),
                _ => rng.next() & 0xFFFF,
            };
            let fee_bps = (rng.next() % 2_501) as u16;
            let s = settle(stake, &u, fee_bps).unwrap();
            assert_eq!(
                (s.cost, s.fee, s.operator_share),
                reference(stake, &u, fee_bps)
            );
            assert!(s.cost <= stake);
            assert_eq!(s.fee + s.operator_share, s.cost);
        }
    }

    #[test]
    fn filters() {
        assert_eq!(success_rate_bps(0, 0), Ok(0));
        assert_eq!(success_rate_bps(3, 1), Ok(7_500));
        assert_eq!(success_rate_bps(2, 1), Ok(6_666));
        assert_eq!(success_rate_bps(5, 0), Ok(10_000));
        assert_eq!(success_rate_bps(0, 5), Ok(0));
        assert_eq!(success_rate_bps(u64::MAX, 0), Ok(10_000));
        assert_eq!(
            success_rate_bps(u64::MAX, 1),
            Err(ProgramError::Custom(
                ChainferenceError::ArithmeticOverflow as u32
            ))
        );
        assert_eq!(avg_rating_x100(0, 0), Ok(0));
        assert_eq!(avg_rating_x100(9, 2), Ok(450));
        assert_eq!(avg_rating_x100(14, 3), Ok(466));
        assert_eq!(avg_rating_x100(5, 1), Ok(500));
        assert_eq!(token_cost(4_096, 1_000_000_000_000), Ok(4_096_000_000));
        assert_eq!(token_cost(1, 999_999), Ok(1));
        assert_eq!(token_cost(0, 999_999), Ok(0));
    }

    fn server_with(models: &[(&str, &str, &str, u64, u64)]) -> std::vec::Vec<u8> {
        use crate::instructions::model_input::ModelInput;
        let mut data = std::vec![0u8; Server::space(models.len())];
        let (_, entries) = Server::init(&mut data, models.len()).unwrap();
        for (entry, &(hf_id, revision, quantization, price_in, price_out)) in
            entries.iter_mut().zip(models)
        {
            entry.write(&ModelInput {
                hf_id: hf_id.as_bytes(),
                revision: revision.as_bytes(),
                quantization: quantization.as_bytes(),
                price_in,
                price_out,
                max_context: 4096,
            });
        }
        data
    }

    fn filters_for<'a>(
        model: &'a str,
        revision: &'a str,
        max_in: u64,
        max_out: u64,
    ) -> ClientFilters<'a> {
        ClientFilters {
            model: model.as_bytes(),
            revision: revision.as_bytes(),
            max_price_in: max_in,
            max_price_out: max_out,
            min_completed: 0,
            min_success_bps: 0,
            min_avg_rating: 0,
        }
    }

    fn pick(server_data: &[u8], f: &ClientFilters) -> Result<(u64, u64), ProgramError> {
        let (server, models) = Server::load_with_models(server_data).unwrap();
        select_offer(server, models, f).map(|m| (m.price_in(), m.price_out()))
    }

    #[test]
    fn first_affordable_matching_entry_wins() {
        let s = server_with(&[
            ("org/other", "", "Q4", 1, 1),
            ("org/model", "main", "F16", 90, 90),
            ("org/model", "main", "Q4", 20, 30),
            ("org/model", "v2", "Q8", 10, 10),
        ]);
        let e = |e: ChainferenceError| Err(ProgramError::from(e));
        // Unpinned: the cheap v2 entry comes after an affordable main entry.
        assert_eq!(
            pick(&s, &filters_for("org/model", "", 50, 50)),
            Ok((20, 30))
        );
        assert_eq!(
            pick(&s, &filters_for("org/model", "", 100, 100)),
            Ok((90, 90))
        );
        // Pinned revision: only exact revision matches.
        assert_eq!(
            pick(&s, &filters_for("org/model", "v2", 50, 50)),
            Ok((10, 10))
        );
        assert_eq!(
            pick(&s, &filters_for("org/model", "v3", 50, 50)),
            e(ChainferenceError::ModelNotOffered)
        );
        // Offered but too expensive on either side.
        assert_eq!(
            pick(&s, &filters_for("org/model", "main", 19, 100)),
            e(ChainferenceError::PriceAboveMax)
        );
        assert_eq!(
            pick(&s, &filters_for("org/model", "main", 100, 29)),
            e(ChainferenceError::PriceAboveMax)
        );
        // Ids match exactly (no prefix or case folding).
        assert_eq!(
            pick(&s, &filters_for("org/mode", "", 100, 100)),
            e(ChainferenceError::ModelNotOffered)
        );
        assert_eq!(
            pick(&s, &filters_for("Org/model", "", 100, 100)),
            e(ChainferenceError::ModelNotOffered)
        );
    }

    #[test]
    fn reputation_filters_after_the_model() {
        let mut s = server_with(&[("org/model", "", "Q4", 10, 10)]);
        {
            let (server, _) = Server::load_with_models_mut(&mut s).unwrap();
            server.set_completed(3);
            server.set_paid_volume(3);
            server.set_expired_volume(1);
            server.set_rating_sum(9);
            server.set_rating_count(2);
        }
        let ok = filters_for("org/model", "", 10, 10);
        assert_eq!(pick(&s, &ok), Ok((10, 10)));
        let e = |e: ChainferenceError| Err(ProgramError::from(e));
        // The model check comes first.
        let f = ClientFilters {
            min_completed: 4,
            ..filters_for("org/x", "", 10, 10)
        };
        assert_eq!(pick(&s, &f), e(ChainferenceError::ModelNotOffered));
        assert_eq!(
            pick(
                &s,
                &ClientFilters {
                    min_completed: 4,
                    ..ok
                }
            ),
            e(ChainferenceError::NotEnoughCompleted)
        );
        assert_eq!(
            pick(
                &s,
                &ClientFilters {
                    min_completed: 3,
                    min_success_bps: 7_500,
                    ..ok
                }
            ),
            Ok((10, 10))
        );
        assert_eq!(
            pick(
                &s,
                &ClientFilters {
                    min_success_bps: 7_501,
                    ..ok
                }
            ),
            e(ChainferenceError::SuccessRateTooLow)
        );
        assert_eq!(
            pick(
                &s,
                &ClientFilters {
                    min_avg_rating: 450,
                    ..ok
                }
            ),
            Ok((10, 10))
        );
        assert_eq!(
            pick(
                &s,
                &ClientFilters {
                    min_avg_rating: 451,
                    ..ok
                }
            ),
            e(ChainferenceError::RatingTooLow)
        );
    }

    #[test]
    fn ids_eq_matches_slice_eq() {
        let a: std::vec::Vec<u8> = (0u8..96).collect();
        for len in 0..=96 {
            assert!(ids_eq(&a[..len], &a[..len]));
            for flip in 0..len {
                let mut b = a[..len].to_vec();
                b[flip] ^= 0x20;
                assert!(!ids_eq(&a[..len], &b), "len {len} flip {flip}");
            }
            if len > 0 {
                assert!(!ids_eq(&a[..len], &a[..len - 1]));
            }
        }
    }
}
