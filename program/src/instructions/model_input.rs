//! `ModelInput` (Borsh: `hf_id string, revision string, quantization string, price_in u64,
//! price_out u64, max_context u32`) and the validated `Vec<ModelInput>` shared by
//! `register_server` and `update_server`. No allocation: the list stays in the instruction data and
//! is read, validated and written into the Server account in a single pass.

use pinocchio::error::ProgramError;

use crate::{
    borsh::Reader,
    constants::{MAX_MODELS, MAX_PRICE_PER_M},
    errors::ChainferenceError,
    idl::{Arg, BorshStruct, Ty},
    state::{
        invalid_account_data,
        server::{check_new_key, ModelEntry},
    },
    validate::{validate_hf_id, validate_quantization, validate_revision},
};

/// Interface description of [`ModelInput`] (`crate::idl`).
pub const MODEL_INPUT: BorshStruct = BorshStruct {
    name: "modelInput",
    docs: "A model entry as sent to register_server / update_server (Borsh).",
    fields: &[
        Arg::new("hf_id", Ty::String),
        Arg::new("revision", Ty::String),
        Arg::new("quantization", Ty::String),
        Arg::new("price_in", Ty::U64),
        Arg::new("price_out", Ty::U64),
        Arg::new("max_context", Ty::U32),
    ],
};

/// One model as sent by the operator (borrowed from the instruction data).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelInput<'a> {
    pub hf_id: &'a [u8],
    pub revision: &'a [u8],
    pub quantization: &'a [u8],
    pub price_in: u64,
    pub price_out: u64,
    pub max_context: u32,
}

/// A Borsh `Vec<ModelInput>` whose count is checked (1 ≤ count ≤ `MAX_MODELS`) and whose entries
/// are read, validated and written in one pass by [`ModelInputs::write_into`] (no second parse).
/// It holds the rest of the instruction data: the list must be its last field.
#[derive(Clone, Copy, Debug)]
pub struct ModelInputs<'a> {
    count: usize,
    reader: Reader<'a>,
}

impl<'a> ModelInputs<'a> {
    /// Reads and checks the count and takes the rest of the data (the entries), leaving `reader`
    /// empty. Entries are validated by [`ModelInputs::write_into`].
    #[inline(always)]
    pub fn read(reader: &mut Reader<'a>) -> Result<Self, ProgramError> {
        let count = reader.vec_len()?;
        if count == 0 {
            return Err(ChainferenceError::NoModels.into());
        }
        if count > MAX_MODELS {
            return Err(ChainferenceError::TooManyModels.into());
        }
        let list = Self {
            count,
            reader: *reader,
        };
        *reader = Reader::new(&[]);
        Ok(list)
    }

    #[inline(always)]
    pub fn len(&self) -> usize {
        self.count
    }

    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Reads, validates (id, revision, quantization rules, price cap) and writes each entry into
    /// `entries` (`entries.len() == len()`, every byte zero), rejects trailing bytes, then rejects
    /// duplicate (hf_id, revision, quantization) keys (`DuplicateModel`).
    ///
    /// One pass, field by field: each string is read, checked and copied before the next one is
    /// read (few live values, so the BPF backend keeps them in registers). An empty string needs
    /// no copy: the entry is zero already.
    #[inline(always)]
    pub fn write_into(self, entries: &mut [ModelEntry]) -> Result<(), ProgramError> {
        let n = self.count;
        if n > MAX_MODELS || entries.len() != n {
            return Err(invalid_account_data());
        }
        let mut reader = self.reader;
        let mut seen = 0u64;
        let base = entries.as_mut_ptr();
        let mut i = 0;
        while i < n {
            // SAFETY: `i < n == entries.len()`; `entry` (index `i`) and `earlier` (`0..i`) are
            // disjoint, and `entry` is written before `earlier` is created.
            let entry = unsafe { &mut *base.add(i) };
            let hf_id = reader.string()?;
            validate_hf_id(hf_id)?;
            entry.set_hf_id(hf_id);
            let revision = reader.string()?;
            validate_revision(revision)?;
            entry.set_revision(revision);
            let quantization = reader.string()?;
            validate_quantization(quantization)?;
            entry.set_quantization(quantization);
            let price_in = reader.read_u64()?;
            let price_out = reader.read_u64()?;
            if price_in > MAX_PRICE_PER_M || price_out > MAX_PRICE_PER_M {
                return Err(ChainferenceError::PriceTooHigh.into());
            }
            entry.set_price_in(price_in);
            entry.set_price_out(price_out);
            entry.set_max_context(reader.read_u32()?);
            // SAFETY: entries `0..i` are in bounds (`i < n`) and already written; none is `entry`.
            let earlier = unsafe { core::slice::from_raw_parts(base as *const ModelEntry, i) };
            check_new_key(entry, earlier, &mut seen)?;
            i = i.wrapping_add(1);
        }
        reader.finish()
    }
}
