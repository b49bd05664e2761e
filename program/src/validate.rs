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
            0
        };
        b += 1;
    }
    t
};

/// `true` when every byte's class is in `allowed`.
#[inline(always)]
fn all_in(bytes: &[u8], allowed: u8) -> bool {
    let mut ok = true;
    for &b in bytes {
        ok &= CLASS[b as usize] & allowed != 0;
    }
    ok
}

/// `true` when `id` is a valid Hugging Face `org/name` of at most 96 bytes: exactly one `/`, both
/// parts non-empty, `[A-Za-z0-9._-]`, a part neither starts nor ends with `-` or `.`, no `--` or
/// `..`. One pass, one table lookup per byte.
#[inline(always)]
pub fn is_valid_hf_id(id: &[u8]) -> bool {
    if id.len() > MAX_HF_ID_LEN {
        return false;
    }
    let mut seen_slash = false;
    // Class of the previous byte, SLASH standing for "start of a part".
    let mut prev_class = SLASH;
    let mut prev = 0u8;
    for &b in id {
        let class = CLASS[b as usize];
        match class {
            NAME => {}
            SPECIAL => {
                if prev_class == SLASH || b == prev {
                    return false;
                }
            }
            SLASH => {
                if prev_class != NAME || seen_slash {
                    return false;
                }
                seen_slash = true;
            }
            _ => return false,
        }
        prev_class = class;
        prev = b;
    }
    seen_slash && prev_class == NAME
}

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
