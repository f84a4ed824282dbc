//! The Starstream devnet node and its client. [`start`] serves a ledger directory over a JSON
//! HTTP API (`docs/api.md`): submissions are checked and applied by one writer in arrival
//! order (the mempool is what is applied but not yet sealed), and blocks are sealed on an
//! interval or on demand. [`Client`] calls the API; [`RemoteView`] lets a script execute
//! locally against a node's state before its signed result is submitted.

pub mod api;
mod client;
mod server;

pub use client::{
    execute_remote, parse_id, random_token_base, run_remote, run_remote_proving, Client,
    ClientError, RemoteFailure, RemoteView,
};
pub use server::{evidence, start, ApiError, NodeHandle};
