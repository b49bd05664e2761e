//! Every failure the program can return. Codes are stable: never reorder, never reuse; append only.
//! Each variant's one-line doc comment is its message: [`ChainferenceError::ALL`] carries name, code
//! and message into the IDL (`crate::idl`), so the generated client's error names come from here.
//!
//! The code on the wire is [`ERROR_BASE`] + the listed number (`Custom(0x2000 + n)`): no program we
//! call (System: 0..=8) nor the common ones beside us (SPL Token and Token-2022, Associated Token,
//! Stake, Vote, the precompiles: all below 0x100) uses that range, nor do the SDK's off-chain codes
//! (1000..=6999), so a bare code of ours is never read as theirs (`docs/design-decisions.md`).
//! Clients still name an error by the program that returned it, never by the code alone.

use pinocchio::error::ProgramError;

use crate::idl::ErrorSpec;

/// Added to every listed number: the program's `Custom` codes are `0x2000..`.
pub const ERROR_BASE: u32 = 0x2000;

/// Declares the enum and [`ChainferenceError::ALL`] from one list (`/// message` then `Name = code,`).
macro_rules! errors {
    ($(#[doc = $message:literal] $name:ident = $code:literal,)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u32)]
        pub enum ChainferenceError {
            $(#[doc = $message] $name = ERROR_BASE + $code,)*
        }

        impl ChainferenceError {
            /// Every error in code order, with its name and message (the IDL's error list).
            pub const ALL: &'static [ErrorSpec] = &[$(ErrorSpec {
                error: Self::$name,
                name: stringify!($name),
                message: $message.trim_ascii(),
            },)*];
        }
    };
}

errors! {
    /// Unknown instruction discriminator
    InvalidInstruction = 0,
    /// Instruction data is malformed or has trailing bytes
    InvalidInstructionData = 1,
    /// A required signature is missing
    MissingSigner = 2,
    /// An account that must be writable is read-only
    AccountNotWritable = 3,
    /// An account is owned by the wrong program
    InvalidAccountOwner = 4,
    /// Account data has the wrong discriminator, version or length
    InvalidAccountData = 5,
    /// Account address does not match its program-derived address
    InvalidPda = 6,
    /// The system program account is not the system program
    InvalidSystemProgram = 7,
    /// The account is already initialized
    AlreadyInitialized = 8,
    /// Only the config admin may do this
    Unauthorized = 9,
    /// Fee is above the protocol cap
    FeeTooHigh = 10,
    /// A config limit is zero or inconsistent
    InvalidConfigValue = 11,
    /// The protocol is paused
    ProtocolPaused = 12,
    /// Model id is not a valid Hugging Face org/name
    InvalidModelId = 13,
    /// Model revision is too long or has invalid characters
    InvalidRevision = 14,
    /// Quantization tag is too long or has invalid characters
    InvalidQuantization = 15,
    /// Too many models for one server
    TooManyModels = 16,
    /// A server must offer at least one model
    NoModels = 17,
    /// The same model is listed twice
    DuplicateModel = 18,
    /// Price per million tokens is above the protocol maximum
    PriceTooHigh = 19,
    /// X25519 public key must not be all zeros
    InvalidX25519Key = 20,
    /// Endpoint URL is too long
    EndpointTooLong = 21,
    /// Server still holds locked requests
    ServerHasActiveLocks = 22,
    /// Signer is not the server's operator
    OperatorMismatch = 23,
    /// Server is not active
    ServerInactive = 24,
    /// Prompt is larger than the configured maximum
    PromptTooLarge = 25,
    /// Prompt bytes do not fit the declared prompt length or offset
    PromptLengthMismatch = 26,
    /// Prompt is not complete yet
    PromptNotSealed = 27,
    /// Stake is below the protocol minimum
    StakeTooLow = 28,
    /// Response timeout is above the configured maximum
    InvalidTimeout = 29,
    /// Too many servers on the allow-list
    TooManyAllowedServers = 30,
    /// A server appears twice on the allow-list
    DuplicateAllowedServer = 31,
    /// Request is not open
    RequestNotOpen = 32,
    /// Request is not locked
    RequestNotLocked = 33,
    /// Server is not on the request's allow-list
    ServerNotAllowed = 34,
    /// Server does not offer the requested model
    ModelNotOffered = 35,
    /// Server's price is above the client's maximum
    PriceAboveMax = 36,
    /// Server has fewer completed inferences than required
    NotEnoughCompleted = 37,
    /// Server's success rate is below the required minimum
    SuccessRateTooLow = 38,
    /// Server's average rating is below the required minimum
    RatingTooLow = 39,
    /// Stake does not cover the prompt at the server's price
    StakeBelowPromptCost = 40,
    /// Request is past its deadline
    RequestExpired = 41,
    /// Request is locked by another server
    NotLockedByServer = 42,
    /// Chunk index is not the next expected chunk
    ChunkIndexMismatch = 43,
    /// Response is already final
    ResponseFinal = 44,
    /// Response is larger than the allowed maximum
    ResponseTooLarge = 45,
    /// Response is not final yet
    ResponseNotFinal = 46,
    /// Response account does not belong to this request
    ResponseMismatch = 47,
    /// tokens_in is above the prompt byte bound
    TokensInAboveBound = 48,
    /// tokens_out is above the response byte bound
    TokensOutAboveBound = 49,
    /// Client account does not match the request
    ClientMismatch = 50,
    /// Fee vault is not the request's shard
    FeeVaultMismatch = 51,
    /// Deadline has not passed yet
    DeadlineNotReached = 52,
    /// Rating must be between 1 and 5
    InvalidRating = 53,
    /// This response was already rated
    AlreadyRated = 54,
    /// Response is not completed
    ResponseNotCompleted = 55,
    /// Only the client may close the response before the grace period ends
    GracePeriodActive = 56,
    /// Treasury account does not match the config
    TreasuryMismatch = 57,
    /// Arithmetic overflow
    ArithmeticOverflow = 58,
    /// Chunk is smaller than its authentication tag or larger than a frame
    InvalidChunkLength = 59,
    /// The same account was passed for two roles
    DuplicateAccount = 60,
    /// A required optional account is missing
    MissingAccount = 61,
    /// Server account does not match the request or response
    ServerMismatch = 62,
    /// Invalid request filter value
    InvalidFilter = 63,
    /// Fewer accounts than the instruction needs
    NotEnoughAccounts = 64,
    /// The Rent sysvar's exemption threshold is neither 1.0 nor 2.0
    UnsupportedRent = 65,
    /// More accounts than the instruction takes
    TooManyAccounts = 66,
    /// An account that must be read-only is writable
    AccountMustBeReadOnly = 67,
    /// The request's stored status byte is not Open or Locked
    InvalidRequestStatus = 68,
    /// Session is not Open
    SessionNotOpen = 69,
    /// Session is already Closed
    SessionClosed = 70,
    /// Session is not Closed
    SessionNotClosed = 71,
    /// open_slot is in the future or older than OPEN_SLOT_WINDOW slots
    OpenSlotOutOfWindow = 72,
    /// Session expiry slot is not in the future or is too far ahead
    InvalidSessionExpiry = 73,
    /// Session grace period is shorter than MIN_GRACE_SLOTS
    GraceTooShort = 74,
    /// Top-up amount is zero
    ZeroTopUp = 75,
    /// Signer is neither the session's client nor its server's operator
    NotSessionParty = 76,
    /// The account is not the Instructions sysvar, or its data is malformed
    InvalidInstructionsSysvar = 77,
    /// The instruction right before settle_session is not an Ed25519 precompile instruction
    VoucherMissing = 78,
    /// The Ed25519 instruction is not the canonical single-signature 166-byte layout
    VoucherMalformed = 79,
    /// The Ed25519 instruction reads its key, signature or message from another instruction
    VoucherNotInline = 80,
    /// Voucher magic or version is not 0x43 0x01
    VoucherMagicMismatch = 81,
    /// Voucher names another session
    VoucherSessionMismatch = 82,
    /// Voucher is not signed by the session's voucher signer
    VoucherSignerMismatch = 83,
    /// Voucher's cumulative lamports are not above the settled amount
    VoucherNotIncreasing = 84,
    /// Voucher's cumulative tokens or answers are below the settled ones
    VoucherUsageDecreased = 85,
    /// Voucher's cumulative lamports exceed the deposit
    VoucherAboveDeposit = 86,
    /// The session's settle deadline has passed
    SettleWindowClosed = 87,
    /// The client may close only once the settle deadline has passed
    CloseNotAllowedYet = 88,
    /// The session's open slot is still inside OPEN_SLOT_WINDOW
    SessionTooRecent = 89,
    /// Signer is not the program's upgrade authority
    NotUpgradeAuthority = 90,
    /// Account is not this program's ProgramData (upgradeable loader)
    InvalidProgramData = 91,
    /// Response timeout is below the configured minimum
    TimeoutTooShort = 92,
    /// The client's key wrap is not for the server's current key epoch
    KeyEpochMismatch = 93,
    /// The client account is executable
    ExecutableClient = 94,
    /// Server bond is below the configured minimum bond
    BondBelowMinimum = 95,
    /// Server bond does not cover the abandon penalty of every lock it would hold
    BondBelowLockCover = 96,
    /// Bond cannot be withdrawn while the server holds locks
    BondLocked = 97,
    /// Bond cooldown after the server's last lock or settlement has not passed
    BondCooldown = 98,
    /// Withdrawal exceeds the server's bond
    BondAmountTooLarge = 99,
    /// Bond amount is zero
    ZeroBondAmount = 100,
    /// Server still holds a bond: withdraw it before closing
    BondNotWithdrawn = 101,
    /// The lock's X25519 key is not the server's current key
    LockKeyMismatch = 102,
    /// The request is open to every server: there is no allow-list entry to hand off
    NothingToHandOff = 103,
    /// The allow-list index is not below the request's allowed_count
    AllowedIndexOutOfRange = 104,
    /// The new allow-list entry does not name the server account passed
    HandOffServerMismatch = 105,
}

impl From<ChainferenceError> for ProgramError {
    #[inline(always)]
    fn from(e: ChainferenceError) -> Self {
        ProgramError::Custom(e as u32)
    }
}
