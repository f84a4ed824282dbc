//! Why a transaction failed: a stable code, a message, the process it happened in, and the
//! source location where one is known.

use std::fmt;

use serde::Serialize;
use starstream_abi::{HostError, TrapCode};

/// What kind of failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A host call broke the ABI's rules (see `docs/abi.md`, "Errors").
    Host(HostError),
    /// The program stopped itself with `trap`: a run-time check of the language.
    Trap(TrapCode),
    /// A WebAssembly trap (out of fuel, call depth, or a module that is not the compiler's).
    Wasm(starstream_vm::Trap),
    /// The request is wrong: an unknown program, script or UTXO, wrong arguments.
    Request,
    /// The transaction breaks the ledger's rules: a UTXO spent twice, unbalanced tokens.
    Ledger,
    /// A program could not be loaded, or the engine failed.
    Program,
}

/// Where in the source a failure happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceLocation {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A failed transaction. Nothing it did is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxError {
    pub kind: ErrorKind,
    pub message: String,
    /// The process that failed, described (`UTXO Counter of program 1a2b…`).
    pub process: Option<String>,
    pub location: Option<SourceLocation>,
}

impl TxError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> TxError {
        TxError {
            kind,
            message: message.into(),
            process: None,
            location: None,
        }
    }

    pub fn host(error: HostError, detail: impl Into<String>) -> TxError {
        let detail = detail.into();
        let message = if detail.is_empty() {
            error.message().to_string()
        } else {
            format!("{detail}: {}", error.message())
        };
        TxError::new(ErrorKind::Host(error), message)
    }

    pub fn request(message: impl Into<String>) -> TxError {
        TxError::new(ErrorKind::Request, message)
    }

    pub fn ledger(message: impl Into<String>) -> TxError {
        TxError::new(ErrorKind::Ledger, message)
    }

    /// The stable code: `host:NAME`, `trap:NAME`, `wasm:NAME`, `request`, `ledger`, `program`.
    pub fn code(&self) -> String {
        match self.kind {
            ErrorKind::Host(e) => format!("host:{}", e.name()),
            ErrorKind::Trap(t) => format!("trap:{}", t.name()),
            ErrorKind::Wasm(t) => format!("wasm:{}", t.name()),
            ErrorKind::Request => "request".into(),
            ErrorKind::Ledger => "ledger".into(),
            ErrorKind::Program => "program".into(),
        }
    }

    pub(crate) fn in_process(mut self, process: String) -> TxError {
        self.process.get_or_insert(process);
        self
    }
}

impl fmt::Display for TxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error[{}]: {}", self.code(), self.message)?;
        if let Some(p) = &self.process {
            write!(f, "\n  in {p}")?;
        }
        if let Some(l) = &self.location {
            write!(f, "\n  at {l}")?;
        }
        Ok(())
    }
}

impl std::error::Error for TxError {}
