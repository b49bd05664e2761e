//! Validators for Hugging Face model ids, revisions and quantization tags
//! (`docs/protocol.md` § Rules → Model ids). ASCII only, so stored ids are valid UTF-8.

use pinocchio::error::ProgramError;

use crate::{
    constants::{MAX_HF_ID_LEN, MAX_QUANT_LEN, MAX_REVISION_LEN},
    errors::ChainferenceError,
};

/// Character classes, one table lookup per byte.
const NAME: u8 = 1; // [A-Za-z0-9_]: allowed anywhere in a part
const SPECIAL: u8 = 2; // '-' '.': not first or last in a part, never doubled
const SLASH: u8 = 4; // '/': separates org and name (revisions may contain it)
const OTHER: u8 = 8; // anything else: never allowed

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphanumeric() || c == b'_' {
            NAME
        } else if c == b'-' || c == b'.' {
            SPECIAL
        } else if c == b'/' {
            SLASH
        } else {
            OTHER
        };
        b += 1;
    }
    t
};

/// `true` when every byte's class is in `allowed`: one table load and one bit test per byte,
/// leaving at the first byte outside `allowed`.
#[inline(always)]
fn all_in(bytes: &[u8], allowed: u8) -> bool {
    let table = CLASS.as_ptr();
    let mut p = bytes.as_ptr();
    // SAFETY: `p` walks `bytes` up to its end (one past the last byte, never read); every table
    // index is a byte value `< 256 == CLASS.len()`.
    unsafe {
        let end = p.add(bytes.len());
        while p != end {
            if *table.add(*p as usize) & !allowed != 0 {
                return false;
            }
            p = p.add(1);
        }
    }
    true
}

/// States of the `org/name` automaton: `S` = start of a part, `N` = after a name byte, `D` = after
/// `-`, `P` = after `.`; `1` = org, `2` = name. `X` rejects (absorbing). Only `N2` accepts.
const S1: u8 = 0;
const N1: u8 = 1;
const D1: u8 = 2;
const P1: u8 = 3;
const S2: u8 = 4;
const N2: u8 = 5;
const D2: u8 = 6;
const P2: u8 = 7;
const X: u8 = 8;
const HF_STATES: usize = 9;

/// `HF_ID[state × 256 + byte]` = next state: one load per byte, no branch but the loop's.
static HF_ID: [u8; HF_STATES * 256] = {
    let mut t = [X; HF_STATES * 256];
    let mut b = 0;
    while b < 256 {
        let class = CLASS[b];
        let mut state = 0;
        while state < X as usize {
            let s = state as u8;
            let part2 = s >= S2;
            let next = if class == NAME {
                if part2 {
                    N2
                } else {
                    N1
                }
            } else if class == SPECIAL {
                // Not first in a part, never doubled (`.-` and `-.` are fine).
                let (start, dash, dot) = if part2 { (S2, D2, P2) } else { (S1, D1, P1) };
                if s == start
                    || (b == b'-' as usize && s == dash)
                    || (b == b'.' as usize && s == dot)
                {
                    X
                } else if b == b'-' as usize {
                    dash
                } else {
                    dot
                }
            } else if class == SLASH && s == N1 {
                // Exactly one slash, after a non-empty org ending in a name byte.
                S2
            } else {
                X
            };
            t[state * 256 + b] = next;
            state += 1;
        }
        b += 1;
    }
    t
};

/// `true` when `id` is a valid Hugging Face `org/name` of at most 96 bytes: exactly one `/`, both
/// parts non-empty, `[A-Za-z0-9._-]`, a part neither starts nor ends with `-` or `.`, no `--` or
/// `..`. One pass over a 9-state automaton, one table load per byte.
#[inline(always)]
pub fn is_valid_hf_id(id: &[u8]) -> bool {
    if id.len() > MAX_HF_ID_LEN {
        return false;
    }
    let mut state = S1 as usize;
    let table = HF_ID.as_ptr();
    let mut p = id.as_ptr();
    // SAFETY: `p` walks `id` up to its end (one past the last byte, never read). Every table
    // entry is a state `< HF_STATES` (asserted below) and `state` starts at `S1`, so
    // `state × 256 + b < HF_STATES × 256` (`state << 8 | b` is that sum: `b < 256`).
    unsafe {
        let end = p.add(id.len());
        while p != end {
            state = *table.add((state << 8) | *p as usize) as usize;
            p = p.add(1);
        }
    }
    state == N2 as usize
}

const _: () = {
    let mut i = 0;
    while i < HF_ID.len() {
        assert!((HF_ID[i] as usize) < HF_STATES);
        i += 1;
    }
};

/// `InvalidModelId` unless `id` is a valid `org/name`.
#[inline(always)]
pub fn validate_hf_id(id: &[u8]) -> Result<(), ProgramError> {
    if is_valid_hf_id(id) {
        Ok(())
    } else {
        Err(ChainferenceError::InvalidModelId.into())
    }
}

/// `InvalidRevision` unless `revision` is ≤ 40 bytes of `[A-Za-z0-9._/-]` (empty = any).
#[inline(always)]
pub fn validate_revision(revision: &[u8]) -> Result<(), ProgramError> {
    if revision.len() <= MAX_REVISION_LEN && all_in(revision, NAME | SPECIAL | SLASH) {
        Ok(())
    } else {
        Err(ChainferenceError::InvalidRevision.into())
    }
}

/// `InvalidQuantization` unless `quant` is ≤ 16 bytes of `[A-Za-z0-9._-]`.
#[inline(always)]
pub fn validate_quantization(quant: &[u8]) -> Result<(), ProgramError> {
    if quant.len() <= MAX_QUANT_LEN && all_in(quant, NAME | SPECIAL) {
        Ok(())
    } else {
        Err(ChainferenceError::InvalidQuantization.into())
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // test-only reference math
mod tests {
    use super::*;

    #[test]
    fn good_hf_ids() {
        for id in [
            "HuggingFaceTB/SmolLM2-135M-Instruct",
            "google/gemma-3-270m-it",
            "meta-llama/Llama-3.1-8B-Instruct",
            "bartowski/Qwen2.5-0.5B-Instruct-GGUF",
            "a/b",
            "Org_1/model_v2.0",
            "x/a.b-c_d",
            "_o/_n_",
        ] {
            assert!(is_valid_hf_id(id.as_bytes()), "{id}");
        }
        let long = [b'a'; 47];
        let mut id = std::vec::Vec::from(long);
        id.push(b'/');
        id.extend_from_slice(&[b'b'; 48]);
        assert_eq!(id.len(), 96);
        assert!(is_valid_hf_id(&id));
        id.push(b'c');
        assert!(!is_valid_hf_id(&id));
    }

    #[test]
    fn bad_hf_ids() {
        for id in [
            "",
            "/",
            "org",
            "org/",
            "/name",
            "org/name/x",
            "org//name",
            "-org/name",
            "org-/name",
            ".org/name",
            "org./name",
            "org/-name",
            "org/name-",
            "org/.name",
            "org/name.",
            "or--g/name",
            "org/na..me",
            "org/na me",
            "org/naïve",
            "org/name\0",
            "org/name?",
            "org\\name",
            "org/na:me",
            "a/b/",
            "a/-",
            "a/.",
            "-/a",
            "a/b-",
            "o.-/n",
        ] {
            assert!(!is_valid_hf_id(id.as_bytes()), "{id:?}");
        }
        assert_eq!(
            validate_hf_id(b"bad"),
            Err(ProgramError::Custom(
                ChainferenceError::InvalidModelId as u32
            ))
        );
    }

    /// Straightforward reading of the rules, to cross-check the one-pass validator.
    fn reference(id: &[u8]) -> bool {
        let part_ok = |p: &[u8]| {
            !p.is_empty()
                && p.iter()
                    .all(|&b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
                && !matches!(p[0], b'-' | b'.')
                && !matches!(p[p.len() - 1], b'-' | b'.')
                && !p.windows(2).any(|w| w == b"--" || w == b"..")
        };
        let parts: std::vec::Vec<&[u8]> = id.split(|&b| b == b'/').collect();
        id.len() <= MAX_HF_ID_LEN && parts.len() == 2 && part_ok(parts[0]) && part_ok(parts[1])
    }

    #[test]
    fn hf_id_matches_reference_on_random_strings() {
        const ALPHABET: &[u8] = b"aZ09_-./ ?";
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 12) as usize;
            let mut id = std::vec::Vec::new();
            let mut y = x;
            for _ in 0..len {
                id.push(ALPHABET[(y % ALPHABET.len() as u64) as usize]);
                y /= ALPHABET.len() as u64;
            }
            assert_eq!(
                is_valid_hf_id(&id),
                reference(&id),
                "{:?}",
                std::string::String::from_utf8_lossy(&id)
            );
        }
    }

    #[test]
    fn revisions() {
        for r in [
            "",
            "main",
            "v1.0",
            "refs/pr/1",
            "0123456789abcdef0123456789abcdef01234567",
            "a_b-c",
        ] {
            assert!(validate_revision(r.as_bytes()).is_ok(), "{r}");
        }
        for r in [
            "a b",
            "x?",
            "0123456789abcdef0123456789abcdef012345678",
            "tag:1",
            "é",
        ] {
            assert_eq!(
                validate_revision(r.as_bytes()),
                Err(ProgramError::Custom(
                    ChainferenceError::InvalidRevision as u32
                )),
                "{r}"
            );
        }
    }

    #[test]
    fn quantizations() {
        for q in [
            "",
            "Q4_K_M",
            "f16",
            "bf16",
            "Q8_0",
            "IQ2_XXS",
            "0123456789abcdef",
        ] {
            assert!(validate_quantization(q.as_bytes()).is_ok(), "{q}");
        }
        for q in ["Q4 K", "q/4", "0123456789abcdef0", "x+y"] {
            assert_eq!(
                validate_quantization(q.as_bytes()),
                Err(ProgramError::Custom(
                    ChainferenceError::InvalidQuantization as u32
                )),
                "{q}"
            );
        }
    }
}
