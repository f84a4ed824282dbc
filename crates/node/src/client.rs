//! A blocking client of the node's API, and [`RemoteView`]: the node's state as a
//! [`LedgerView`], so a script executes on the user's machine against the node's UTXOs and
//! the signed result is submitted (the node checks it again before applying).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;
use starstream_runtime::{Artifact, Executed, Executor, LedgerView, Request, TxError};
use starstream_tx::{
    Block, Canonical, Hash32, KeyPair, ProgramHash, SignedTransaction, TokenType, TxId, UtxoEntry,
    UtxoId,
};

use crate::api::*;

/// A failed call: the node's error code and message, or why the node could not be reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientError {
    /// The HTTP status, or `None` when no response came.
    pub status: Option<u16>,
    pub code: String,
    pub message: String,
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error[{}]: {}", self.code, self.message)
    }
}

impl std::error::Error for ClientError {}

/// A node at a base URL such as `http://127.0.0.1:8545`.
#[derive(Clone)]
pub struct Client {
    base: String,
    agent: ureq::Agent,
}

impl Client {
    pub fn new(url: &str) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Client {
            base: url.trim_end_matches('/').to_string(),
            agent,
        }
    }

    fn unreachable(&self, e: ureq::Error) -> ClientError {
        ClientError {
            status: None,
            code: "node:unreachable".into(),
            message: format!("cannot reach the node at {}: {e}", self.base),
        }
    }

    fn answer<T: DeserializeOwned>(
        &self,
        response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Option<T>, ClientError> {
        let mut response = response.map_err(|e| self.unreachable(e))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| self.unreachable(e))?;
        if status == 200 {
            return serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| ClientError {
                    status: Some(status),
                    code: "node:bad-response".into(),
                    message: format!("the node answered with unexpected JSON: {e}"),
                });
        }
        let error = serde_json::from_str::<ErrorBody>(&text).map(|b| b.error);
        match error {
            Ok(e) if status == 404 && e.code == "node:not-found" => Ok(None),
            Ok(e) => Err(ClientError {
                status: Some(status),
                code: e.code,
                message: e.message,
            }),
            Err(_) => Err(ClientError {
                status: Some(status),
                code: "node:bad-response".into(),
                message: format!("the node answered {status}: {text}"),
            }),
        }
    }

    fn get<T: DeserializeOwned>(&self, path: &str) -> Result<Option<T>, ClientError> {
        self.answer(self.agent.get(format!("{}{path}", self.base)).call())
    }

    fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        let sent = self
            .agent
            .post(format!("{}{path}", self.base))
            .send_json(body);
        self.answer(sent)?.ok_or_else(|| ClientError {
            status: Some(404),
            code: "node:not-found".into(),
            message: format!("{path}: not found"),
        })
    }

    fn required<T>(what: &str, v: Option<T>) -> Result<T, ClientError> {
        v.ok_or_else(|| ClientError {
            status: Some(404),
            code: "node:not-found".into(),
            message: format!("the node has no {what}"),
        })
    }

    pub fn state(&self) -> Result<StateJson, ClientError> {
        Self::required("state", self.get("/v1/state")?)
    }

    pub fn deploy(&self, artifact: &Artifact) -> Result<ProgramHash, ClientError> {
        let d: Deployed = self.post("/v1/programs", &ProgramJson::of(artifact))?;
        Ok(d.program)
    }

    pub fn program(&self, hash: &ProgramHash) -> Result<Option<Artifact>, ClientError> {
        let Some(p) = self.get::<ProgramJson>(&format!("/v1/programs/{hash}"))? else {
            return Ok(None);
        };
        let artifact = p.artifact().map_err(|m| ClientError {
            status: Some(200),
            code: "node:bad-response".into(),
            message: m,
        })?;
        if artifact.hash() != *hash {
            return Err(ClientError {
                status: Some(200),
                code: "node:bad-response".into(),
                message: format!("the node returned another module for program {hash}"),
            });
        }
        Ok(Some(artifact))
    }

    pub fn utxo(&self, id: &UtxoId) -> Result<Option<UtxoJson>, ClientError> {
        self.get(&format!("/v1/utxos/{id}"))
    }

    pub fn utxos(&self, utxo_type: Option<&str>) -> Result<Vec<UtxoEntry>, ClientError> {
        let path = match utxo_type {
            Some(t) => format!("/v1/utxos?type={t}"),
            None => "/v1/utxos".into(),
        };
        Ok(Self::required::<UtxoList>("UTXO list", self.get(&path)?)?.utxos)
    }

    pub fn token_storage(&self, token: &TokenType) -> Result<Option<Vec<i64>>, ClientError> {
        let path = format!("/v1/token-storage/{}/{}", token.program, token.name);
        Ok(self.get::<StorageJson>(&path)?.map(|s| s.storage))
    }

    pub fn token_id_used(&self, id: i64) -> Result<bool, ClientError> {
        let used: TokenIdJson =
            Self::required("token id", self.get(&format!("/v1/token-ids/{id}"))?)?;
        Ok(used.used)
    }

    pub fn submit(&self, signed: &SignedTransaction) -> Result<Accepted, ClientError> {
        let body = SubmitJson {
            transaction: hex::encode(signed.to_canonical()),
        };
        self.post("/v1/transactions", &body)
    }

    pub fn transaction(&self, id: &TxId) -> Result<Option<TxJson>, ClientError> {
        self.get(&format!("/v1/transactions/{id}"))
    }

    /// Seals the pending transactions into a block now.
    pub fn seal(&self) -> Result<Block, ClientError> {
        self.post("/v1/blocks", &serde_json::json!({}))
    }

    pub fn block(&self, height: u64) -> Result<Option<Block>, ClientError> {
        self.get(&format!("/v1/blocks/{height}"))
    }

    pub fn events(&self, from: u64, limit: usize) -> Result<EventPage, ClientError> {
        self.events_waiting(from, limit, 0)
    }

    /// Like [`Client::events`], but when there is none from `from` yet, the node waits up to
    /// `wait_ms` milliseconds for one: following the stream without busy polling.
    pub fn events_waiting(
        &self,
        from: u64,
        limit: usize,
        wait_ms: u64,
    ) -> Result<EventPage, ClientError> {
        let path = format!("/v1/events?from={from}&limit={limit}&wait_ms={wait_ms}");
        Self::required("events", self.get(&path)?)
    }

    pub fn log(&self, from: u64, limit: usize) -> Result<LogPage, ClientError> {
        Self::required(
            "log",
            self.get(&format!("/v1/log?from={from}&limit={limit}"))?,
        )
    }
}

/// The node's state as execution reads it. Programs given locally (being deployed with the
/// transaction) are used as they are; the first failed call is kept and reported after
/// execution, since a `LedgerView` answers only "present" or "absent".
pub struct RemoteView {
    client: Client,
    state: StateJson,
    programs: RefCell<BTreeMap<ProgramHash, Arc<Artifact>>>,
    failure: RefCell<Option<ClientError>>,
}

impl RemoteView {
    pub fn new(client: Client, local: &[Artifact]) -> Result<RemoteView, ClientError> {
        let state = client.state()?;
        Ok(RemoteView {
            client,
            state,
            programs: RefCell::new(
                local
                    .iter()
                    .map(|a| (a.hash(), Arc::new(a.clone())))
                    .collect(),
            ),
            failure: RefCell::new(None),
        })
    }

    /// The first call that failed, if any.
    pub fn failure(&self) -> Option<ClientError> {
        self.failure.borrow().clone()
    }

    fn note<T>(&self, r: Result<Option<T>, ClientError>) -> Option<T> {
        r.unwrap_or_else(|e| {
            self.failure.borrow_mut().get_or_insert(e);
            None
        })
    }
}

impl LedgerView for RemoteView {
    fn utxo(&self, id: &UtxoId) -> Option<UtxoEntry> {
        self.note(self.client.utxo(id)).and_then(|u| u.entry)
    }

    fn program(&self, hash: &ProgramHash) -> Option<Arc<Artifact>> {
        if let Some(a) = self.programs.borrow().get(hash) {
            return Some(a.clone());
        }
        let artifact = Arc::new(self.note(self.client.program(hash))?);
        self.programs.borrow_mut().insert(*hash, artifact.clone());
        Some(artifact)
    }

    fn token_storage(&self, token: &TokenType) -> Option<Vec<i64>> {
        self.note(self.client.token_storage(token))
    }

    fn block_height(&self) -> u64 {
        self.state.height + 1
    }

    fn token_id_used(&self, id: i64) -> bool {
        self.note(self.client.token_id_used(id).map(Some))
            .unwrap_or(true)
    }

    fn next_token_id(&self) -> i64 {
        self.state.next_token_id
    }
}

/// Why running a script on a node failed.
#[derive(Clone, Debug)]
pub enum RemoteFailure {
    /// The node refused or could not be reached.
    Node(ClientError),
    /// The script failed while executing against the node's state.
    Execution(TxError),
    /// Preparing the transaction here failed: a signer's key is missing, or no proof could be
    /// made.
    Local(String),
}

impl fmt::Display for RemoteFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RemoteFailure::Node(e) => e.fmt(f),
            RemoteFailure::Execution(e) => e.fmt(f),
            RemoteFailure::Local(e) => write!(f, "error: {e}"),
        }
    }
}

/// Executes `request` against the node's state as it is now (`local` programs are used as
/// given, so a contract not deployed yet can run).
pub fn execute_remote(
    client: &Client,
    executor: &Executor,
    local: &[Artifact],
    request: &Request,
) -> Result<Executed, RemoteFailure> {
    let view = RemoteView::new(client.clone(), local).map_err(RemoteFailure::Node)?;
    let result = executor.execute(&view as &dyn LedgerView, request);
    // A failed lookup reads as "absent" during execution; report the real cause.
    if let Some(e) = view.failure() {
        return Err(RemoteFailure::Node(e));
    }
    result.map_err(RemoteFailure::Execution)
}

/// Executes `request` against the node's state with a random token-id base, signs it with
/// `keys` and submits it. When the node answers that the state moved meanwhile (a block was
/// sealed, or another transaction changed token storage or took the ids), it executes again,
/// up to `attempts` times in all.
pub fn run_remote(
    client: &Client,
    executor: &Executor,
    local: &[Artifact],
    request: &Request,
    keys: &[KeyPair],
    attempts: usize,
) -> Result<(Executed, SignedTransaction, Accepted), RemoteFailure> {
    run_remote_proving(client, executor, local, request, keys, attempts, &|_| {
        Ok(None)
    })
}

/// [`run_remote`], with `prove` making a proof of each execution to attach before signing
/// and submitting (or `None` for no proof).
#[allow(clippy::type_complexity)]
pub fn run_remote_proving(
    client: &Client,
    executor: &Executor,
    local: &[Artifact],
    request: &Request,
    keys: &[KeyPair],
    attempts: usize,
    prove: &dyn Fn(&Executed) -> Result<Option<Vec<u8>>, String>,
) -> Result<(Executed, SignedTransaction, Accepted), RemoteFailure> {
    let mut tries = 0;
    loop {
        tries += 1;
        let request = Request {
            first_token_id: Some(random_token_base().map_err(RemoteFailure::Local)?),
            ..request.clone()
        };
        let executed = execute_remote(client, executor, local, &request)?;
        let mut signed =
            SignedTransaction::sign(executed.tx.clone(), keys, Some(request.args.clone()))
                .map_err(RemoteFailure::Local)?;
        signed.proof = prove(&executed).map_err(RemoteFailure::Local)?;
        match client.submit(&signed) {
            Ok(accepted) => return Ok((executed, signed, accepted)),
            Err(e)
                if tries < attempts
                    && ["ledger:stale", "ledger:mismatch", "ledger:invalid"]
                        .contains(&e.code.as_str()) => {}
            Err(e) => return Err(RemoteFailure::Node(e)),
        }
    }
}

/// A random first id for a transaction's new tokens, in `[2^32, 2^62)`: transactions prepared
/// at the same time by different clients then almost never compete for ids (a collision is
/// refused by the node, never accepted, and running again picks another base).
pub fn random_token_base() -> Result<i64, String> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
    let r = u64::from_le_bytes(bytes) % ((1u64 << 62) - (1u64 << 32));
    Ok(((1u64 << 32) + r) as i64)
}

/// The hash a UTXO or transaction id argument names.
pub fn parse_id(text: &str) -> Option<Hash32> {
    Hash32::from_hex(text.strip_prefix("0x").unwrap_or(text))
}
