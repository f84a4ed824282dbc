//! Why the ledger refused something: a stable code, a class (which an HTTP front end maps to a
//! status), and a message for people.

use std::fmt;

/// The class of a refusal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// The input could not be read (bad encoding, bad artifact).
    Malformed,
    /// The input is well formed but wrong: a bad signature, an unbalanced or tampered
    /// transaction, a script that fails or gives a different transaction on re-execution.
    Invalid,
    /// The input conflicts with the ledger's state: a double spend, a replay, a stale height.
    Conflict,
    /// Something named does not exist.
    NotFound,
    /// The database failed or is in use; nothing was written.
    Storage,
}

/// A refusal. Whatever refused, nothing was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerError {
    pub class: Class,
    /// Stable: `ledger:double-spend`, `ledger:replayed`, `ledger:stale`, `ledger:signature`,
    /// `ledger:mismatch`, `ledger:invalid`, `ledger:unknown-input`, `ledger:unknown-program`,
    /// `ledger:no-witness`, `ledger:artifact`, `ledger:decode`, `ledger:storage`,
    /// `ledger:in-use`, or an execution code (`trap:…`, `host:…`, …) from re-execution.
    pub code: String,
    pub message: String,
}

impl LedgerError {
    pub fn new(class: Class, code: &str, message: impl Into<String>) -> LedgerError {
        LedgerError {
            class,
            code: code.to_string(),
            message: message.into(),
        }
    }

    pub fn storage(e: impl fmt::Display) -> LedgerError {
        LedgerError::new(
            Class::Storage,
            "ledger:storage",
            format!("the database failed: {e}"),
        )
    }
}

impl fmt::Display for LedgerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error[{}]: {}", self.code, self.message)
    }
}

impl std::error::Error for LedgerError {}

macro_rules! storage_errors {
    ($($t:ty),*) => {$(
        impl From<$t> for LedgerError {
            fn from(e: $t) -> LedgerError {
                LedgerError::storage(e)
            }
        }
    )*};
}

storage_errors!(
    redb::Error,
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);
