//! Rent-exempt minimum balances, right under both forms of the Rent sysvar.
//!
//! The sysvar is `{ lamports_per_byte_year: u64, exemption_threshold: f64, burn_percent: u8 }`.
//! Clusters carry one of two forms that give the same minimum balance:
//! - legacy: 3,480 lamports per byte-year with a threshold of 2.0 (two years), as a validator's
//!   genesis writes it;
//! - SIMD-0194: 6,960 lamports per byte with a threshold of 1.0 (LiteSVM, and clusters where
//!   that feature took effect).
//!
//! pinocchio 0.12's `Rent` reads only the first field, so under the legacy form it returns half
//! the minimum and every account the program creates is refused by the runtime. Here the threshold
//! is matched by its exact bit pattern (no float math on-chain) and anything else is refused with
//! [`ChainferenceError::UnsupportedRent`].

pub use pinocchio::sysvars::rent::ACCOUNT_STORAGE_OVERHEAD;
use pinocchio::{error::ProgramError, sysvars::rent::RENT_ID};

use crate::errors::ChainferenceError;

/// The largest account data the runtime allows (10 MiB).
pub const MAX_PERMITTED_DATA_LENGTH: u64 = 10 * 1024 * 1024;
/// `1.0f64.to_bits()`: the SIMD-0194 form (the first field is lamports per byte).
pub const THRESHOLD_ONE_YEAR: u64 = 0x3FF0_0000_0000_0000;
/// `2.0f64.to_bits()`: the legacy form (the first field is lamports per byte-year).
pub const THRESHOLD_TWO_YEARS: u64 = 0x4000_0000_0000_0000;

/// The first 16 bytes of the Rent sysvar: `lamports_per_byte_year` and `exemption_threshold`.
pub type RentFields = [u8; 16];

/// The largest lamports-per-byte rate for which `(128 + MAX_PERMITTED_DATA_LENGTH) × rate` fits a u64.
pub const MAX_LAMPORTS_PER_BYTE: u64 =
    u64::MAX / (MAX_PERMITTED_DATA_LENGTH + ACCOUNT_STORAGE_OVERHEAD);

/// Rent-exempt minimum for `space` bytes of data under the sysvar fields `rent`.
///
/// Equal to the runtime's `((128 + space) × lamports_per_byte_year) as f64 × threshold` for both
/// accepted thresholds (the product is an integer below 2^53 for any real rate, so the f64 path is
/// exact).
#[inline(always)]
pub fn minimum_balance(rent: &RentFields, space: usize) -> Result<u64, ProgramError> {
    let (rate, threshold) = rent.split_at(8);
    let mut word = [0u8; 8];
    word.copy_from_slice(rate);
    let rate = u64::from_le_bytes(word);
    word.copy_from_slice(threshold);
    // Lamports per byte for the whole exemption: the rate, or twice it for two years.
    let per_byte = match u64::from_le_bytes(word) {
        THRESHOLD_ONE_YEAR => rate,
        // Saturates: an overflowing rate fails the bound below.
        THRESHOLD_TWO_YEARS => rate.saturating_add(rate),
        _ => return Err(ChainferenceError::UnsupportedRent.into()),
    };
    let space = space as u64;
    if per_byte > MAX_LAMPORTS_PER_BYTE || space > MAX_PERMITTED_DATA_LENGTH {
        return Err(ChainferenceError::ArithmeticOverflow.into());
    }
    // Both bounds checked above: `(128 + space) × per_byte` fits a u64.
    Ok(space
        .wrapping_add(ACCOUNT_STORAGE_OVERHEAD)
        .wrapping_mul(per_byte))
}

/// Rent-exempt minimum for `space` bytes, from the cluster's Rent sysvar (read with
/// `sol_get_sysvar`: no sysvar account needed). Out of line: one copy serves every instruction.
#[inline(never)]
pub fn rent_exempt_minimum(space: usize) -> Result<u64, ProgramError> {
    let mut rent: RentFields = [0; 16];
    pinocchio::sysvars::get_sysvar(&mut rent, &RENT_ID, 0)?;
    minimum_balance(&rent, space)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(per_byte: u64, threshold: f64) -> RentFields {
        let mut rent = [0u8; 16];
        rent[..8].copy_from_slice(&per_byte.to_le_bytes());
        rent[8..].copy_from_slice(&threshold.to_le_bytes());
        rent
    }

    /// The runtime's formula, in floats, as the validator computes it (inputs are small constants).
    #[allow(clippy::arithmetic_side_effects)]
    fn runtime_minimum(per_byte: u64, threshold: f64, space: u64) -> u64 {
        (((ACCOUNT_STORAGE_OVERHEAD + space) * per_byte) as f64 * threshold) as u64
    }

    #[test]
    fn both_forms_give_the_runtime_minimum() {
        assert_eq!(THRESHOLD_ONE_YEAR, 1.0f64.to_bits());
        assert_eq!(THRESHOLD_TWO_YEARS, 2.0f64.to_bits());
        for space in [
            0u64,
            1,
            96,
            228,
            1_000,
            10_240,
            123_457,
            MAX_PERMITTED_DATA_LENGTH,
        ] {
            let legacy = minimum_balance(&fields(3_480, 2.0), space as usize).unwrap();
            let simd_0194 = minimum_balance(&fields(6_960, 1.0), space as usize).unwrap();
            assert_eq!(
                legacy,
                runtime_minimum(3_480, 2.0, space),
                "legacy, {space} bytes"
            );
            assert_eq!(
                simd_0194,
                runtime_minimum(6_960, 1.0, space),
                "SIMD-0194, {space} bytes"
            );
            assert_eq!(legacy, simd_0194, "{space} bytes");
        }
        // 0 bytes: the familiar 890,880 lamports.
        assert_eq!(minimum_balance(&fields(3_480, 2.0), 0).unwrap(), 890_880);
    }

    #[test]
    fn any_other_threshold_is_refused() {
        for threshold in [
            0.0,
            0.5,
            1.5,
            1.0000000000000002,
            2.5,
            3.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
        ] {
            assert_eq!(
                minimum_balance(&fields(3_480, threshold), 10),
                Err(ChainferenceError::UnsupportedRent.into()),
                "threshold {threshold}"
            );
        }
    }

    #[test]
    fn oversized_space_and_overflowing_rates_are_errors() {
        let too_big = (MAX_PERMITTED_DATA_LENGTH + 1) as usize;
        assert!(minimum_balance(&fields(3_480, 2.0), too_big).is_err());
        assert_eq!(
            minimum_balance(&fields(u64::MAX / 2, 2.0), 1_000),
            Err(ChainferenceError::ArithmeticOverflow.into())
        );
    }
}
