//! The devnet node: an axum HTTP server over a [`Ledger`]. Reads run on tokio's blocking pool
//! against redb snapshots; every write (submissions, deployments, blocks) goes through one
//! writer thread that owns the executor, so submissions are checked and applied one at a time
//! in arrival order, and a response is sent only after the write is durable.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use starstream_ledger::{Applied, Class, Ledger, LedgerError, UtxoStatus};
use starstream_runtime::{Artifact, Executor};
use starstream_tx::{Block, Canonical, Hash32, ProgramHash, SignedTransaction, TokenType};
use tokio::sync::{oneshot, watch};

use crate::api::*;

/// A refusal as the API reports it.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: String,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.to_string(),
            message: message.into(),
        }
    }

    fn bad(code: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "node:not-found", message)
    }
}

impl From<LedgerError> for ApiError {
    fn from(e: LedgerError) -> ApiError {
        let status = match e.class {
            Class::Malformed => StatusCode::BAD_REQUEST,
            Class::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            Class::Conflict => StatusCode::CONFLICT,
            Class::NotFound => StatusCode::NOT_FOUND,
            Class::Storage => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError::new(status, &e.code, e.message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

type ApiResult<T> = Result<Json<T>, ApiError>;

/// A write, answered once it is durable.
enum Job {
    Submit(
        Box<SignedTransaction>,
        oneshot::Sender<Result<Applied, LedgerError>>,
    ),
    Deploy(
        Box<Artifact>,
        oneshot::Sender<Result<ProgramHash, LedgerError>>,
    ),
    Seal(bool, oneshot::Sender<Result<Option<Block>, LedgerError>>),
}

/// The writer: the only place the node writes, one job at a time.
fn writer(ledger: Arc<Ledger>, jobs: mpsc::Receiver<Job>, applied: watch::Sender<u64>) {
    let executor = Executor::fast();
    for job in jobs {
        // A dropped receiver means the client went away; the write stands either way.
        match job {
            Job::Submit(signed, reply) => {
                let result = ledger.submit(&executor, &signed, &[]);
                if let Ok(a) = &result {
                    // Wakes the requests waiting for new events (`wait_ms`).
                    applied.send_replace(a.seq + 1);
                }
                let _ = reply.send(result);
            }
            Job::Deploy(artifact, reply) => {
                let _ = reply.send(ledger.deploy(std::slice::from_ref(&artifact)).map(|h| h[0]));
            }
            Job::Seal(force, reply) => {
                let _ = reply.send(ledger.seal_block(force));
            }
        }
    }
}

#[derive(Clone)]
struct AppState {
    ledger: Arc<Ledger>,
    jobs: mpsc::Sender<Job>,
    /// The number of transactions applied, announced after each one.
    applied: watch::Receiver<u64>,
}

impl AppState {
    async fn write<T>(
        &self,
        job: impl FnOnce(oneshot::Sender<Result<T, LedgerError>>) -> Job,
    ) -> Result<T, ApiError> {
        let (tx, rx) = oneshot::channel();
        self.jobs.send(job(tx)).map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "node:stopping",
                "the node is shutting down",
            )
        })?;
        let result = rx.await.map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "node:stopping",
                "the node is shutting down",
            )
        })?;
        Ok(result?)
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Ledger) -> Result<T, LedgerError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let ledger = self.ledger.clone();
        tokio::task::spawn_blocking(move || f(&ledger))
            .await
            .map_err(|e| {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "node:internal",
                    e.to_string(),
                )
            })?
            .map_err(ApiError::from)
    }
}

fn hash_param(text: &str, what: &str) -> Result<Hash32, ApiError> {
    Hash32::from_hex(text).ok_or_else(|| {
        ApiError::bad(
            "node:malformed-id",
            format!("`{text}` is not a {what} id (64 lowercase or uppercase hex digits)"),
        )
    })
}

fn body_json<T: serde::de::DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    let body = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "node:too-large",
                format!("the request body is over the limit of {MAX_BODY_BYTES} bytes"),
            )
        } else {
            ApiError::bad("node:body", r.body_text())
        }
    })?;
    serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad(
            "node:malformed-json",
            format!("the body is not the expected JSON: {e}"),
        )
    })
}

#[derive(Deserialize)]
struct Page {
    from: Option<u64>,
    limit: Option<usize>,
    /// For events: when none is there yet, wait up to this long for one.
    wait_ms: Option<u64>,
}

/// The longest an events request waits for new events.
pub const MAX_WAIT_MS: u64 = 30_000;

impl Page {
    fn of(q: Result<Query<Page>, QueryRejection>) -> Result<(u64, usize), ApiError> {
        let Query(p) = q.map_err(|r| ApiError::bad("node:query", r.body_text()))?;
        Ok((
            p.from.unwrap_or(0),
            p.limit.unwrap_or(100).clamp(1, MAX_PAGE),
        ))
    }
}

#[derive(Deserialize)]
struct TypeFilter {
    #[serde(rename = "type")]
    utxo_type: Option<String>,
}

async fn current_state(State(s): State<AppState>) -> ApiResult<StateJson> {
    Ok(Json(s.read(|l| l.state()).await?))
}

async fn block(State(s): State<AppState>, UrlPath(height): UrlPath<String>) -> ApiResult<Block> {
    let height = if height == "latest" {
        s.read(|l| l.state()).await?.height
    } else {
        height.parse().map_err(|_| {
            ApiError::bad(
                "node:malformed-id",
                format!("`{height}` is not a block height or `latest`"),
            )
        })?
    };
    s.read(move |l| l.block(height))
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("there is no block {height}")))
}

async fn seal(State(s): State<AppState>) -> ApiResult<Block> {
    let block = s.write(|r| Job::Seal(true, r)).await?;
    Ok(Json(block.expect("a forced seal always makes a block")))
}

async fn deploy(
    State(s): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Deployed> {
    let program: ProgramJson = body_json(body)?;
    let artifact = program
        .artifact()
        .map_err(|m| ApiError::bad("node:malformed", m))?;
    let hash = s.write(|r| Job::Deploy(Box::new(artifact), r)).await?;
    Ok(Json(Deployed { program: hash }))
}

async fn program(
    State(s): State<AppState>,
    UrlPath(hash): UrlPath<String>,
) -> ApiResult<ProgramJson> {
    let hash = hash_param(&hash, "program")?;
    s.read(move |l| l.program(&hash))
        .await?
        .map(|a| Json(ProgramJson::of(&a)))
        .ok_or_else(|| ApiError::not_found(format!("program {hash} is not deployed")))
}

async fn submit(
    State(s): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Accepted> {
    let request: SubmitJson = body_json(body)?;
    let bytes = hex::decode(request.transaction.trim())
        .map_err(|e| ApiError::bad("node:malformed", format!("`transaction` is not hex: {e}")))?;
    let signed = SignedTransaction::from_canonical(&bytes).map_err(|e| {
        ApiError::bad(
            "ledger:decode",
            format!("`transaction` is not a signed transaction: {e}"),
        )
    })?;
    let applied = s.write(|r| Job::Submit(Box::new(signed), r)).await?;
    Ok(Json(Accepted {
        tx: applied.tx,
        seq: applied.seq,
        status: "pending".into(),
    }))
}

async fn transaction(State(s): State<AppState>, UrlPath(id): UrlPath<String>) -> ApiResult<TxJson> {
    let id = hash_param(&id, "transaction")?;
    let record = s
        .read(move |l| l.transaction(&id))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("there is no transaction {id}")))?;
    let signed = record.signed;
    Ok(Json(TxJson {
        tx: signed.tx.id,
        seq: record.seq,
        status: if record.block.is_some() {
            "sealed"
        } else {
            "pending"
        }
        .into(),
        block: record.block,
        signatures: signed.signatures.iter().map(|s| hex::encode(s.0)).collect(),
        encoded: hex::encode(signed.to_canonical()),
        evidence: evidence(&signed),
        transaction: signed.tx,
    }))
}

/// What shows a transaction is its script's result, as the ledger checked it: its arguments
/// (re-executed), and the layers its proof covers.
pub fn evidence(signed: &SignedTransaction) -> Vec<String> {
    let mut out = Vec::new();
    if signed.args.is_some() {
        out.push("re-execution".to_string());
    }
    if let Some(proof) = &signed.proof {
        match starstream_proof::Envelope::decode(proof) {
            Ok(e) if e.layer == starstream_proof::LAYER_TRANSACTION => out.extend(
                starstream_proof::COVERED_LAYERS
                    .iter()
                    .map(|layer| format!("proof:{layer}")),
            ),
            _ => out.push("proof:unknown".into()),
        }
    }
    out
}

async fn utxo(State(s): State<AppState>, UrlPath(id): UrlPath<String>) -> ApiResult<UtxoJson> {
    let id = hash_param(&id, "UTXO")?;
    match s.read(move |l| l.utxo(&id)).await? {
        UtxoStatus::Unspent(entry) => Ok(Json(UtxoJson {
            id,
            status: "unspent".into(),
            entry: Some(entry),
            spent_by: None,
        })),
        UtxoStatus::Spent { by } => Ok(Json(UtxoJson {
            id,
            status: "spent".into(),
            entry: None,
            spent_by: Some(by),
        })),
        UtxoStatus::Unknown => Err(ApiError::not_found(format!("there is no UTXO {id}"))),
    }
}

async fn utxos(
    State(s): State<AppState>,
    q: Result<Query<TypeFilter>, QueryRejection>,
) -> ApiResult<UtxoList> {
    let Query(filter) = q.map_err(|r| ApiError::bad("node:query", r.body_text()))?;
    let utxos = s
        .read(move |l| l.utxos(filter.utxo_type.as_deref()))
        .await?;
    Ok(Json(UtxoList { utxos }))
}

async fn token_storage(
    State(s): State<AppState>,
    UrlPath((program, name)): UrlPath<(String, String)>,
) -> ApiResult<StorageJson> {
    let token = TokenType {
        program: hash_param(&program, "program")?,
        name,
    };
    let shown = token.to_string();
    s.read(move |l| l.read(|v| Ok(starstream_runtime::LedgerView::token_storage(v, &token))))
        .await?
        .map(|storage| Json(StorageJson { storage }))
        .ok_or_else(|| ApiError::not_found(format!("token {shown} has no storage")))
}

async fn token_id(
    State(s): State<AppState>,
    UrlPath(id): UrlPath<String>,
) -> ApiResult<TokenIdJson> {
    let id: i64 = id.parse().map_err(|_| {
        ApiError::bad(
            "node:malformed-id",
            format!("`{id}` is not a token id (an integer)"),
        )
    })?;
    let used = s
        .read(move |l| l.read(|v| Ok(starstream_runtime::LedgerView::token_id_used(v, id))))
        .await?;
    Ok(Json(TokenIdJson { id, used }))
}

async fn events(
    State(s): State<AppState>,
    q: Result<Query<Page>, QueryRejection>,
) -> ApiResult<EventPage> {
    let wait = q.as_ref().ok().and_then(|Query(p)| p.wait_ms).unwrap_or(0);
    let (from, limit) = Page::of(q)?;
    // Subscribe before reading, so an event applied in between still wakes the wait.
    let mut applied = s.applied.clone();
    applied.mark_unchanged();
    let mut events = s.read(move |l| l.events(from, limit)).await?;
    let deadline = tokio::time::Instant::now() + Duration::from_millis(wait.min(MAX_WAIT_MS));
    while events.is_empty() && tokio::time::Instant::now() < deadline {
        match tokio::time::timeout_at(deadline, applied.changed()).await {
            Ok(Ok(())) => events = s.read(move |l| l.events(from, limit)).await?,
            _ => break,
        }
    }
    let next = events.last().map_or(from, |e| e.seq + 1);
    Ok(Json(EventPage {
        events: events
            .into_iter()
            .map(|e| EventJson {
                seq: e.seq,
                tx: e.tx,
                index: e.index,
                event: e.event,
            })
            .collect(),
        next,
    }))
}

async fn log(
    State(s): State<AppState>,
    q: Result<Query<Page>, QueryRejection>,
) -> ApiResult<LogPage> {
    let (from, limit) = Page::of(q)?;
    let transactions = s.read(move |l| l.log(from, limit)).await?;
    let next = from + transactions.len() as u64;
    Ok(Json(LogPage { transactions, next }))
}

async fn no_route() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "node:no-route",
        "no such route; see docs/api.md",
    )
}

async fn wrong_method() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "node:method",
        "this route does not take that method; see docs/api.md",
    )
}

/// The API over `ledger`, with the writer thread started.
fn router(
    ledger: Arc<Ledger>,
) -> Result<(Router, mpsc::Sender<Job>, std::thread::JoinHandle<()>), String> {
    let (jobs, rx) = mpsc::channel();
    let (announce, applied) = watch::channel(0);
    let writer_ledger = ledger.clone();
    let writer = std::thread::Builder::new()
        .name("ledger-writer".into())
        .spawn(move || writer(writer_ledger, rx, announce))
        .map_err(|e| format!("cannot start the writer thread: {e}"))?;
    let state = AppState {
        ledger,
        jobs: jobs.clone(),
        applied,
    };
    let app = Router::new()
        .route("/v1/state", get(current_state))
        .route("/v1/blocks", axum::routing::post(seal))
        .route("/v1/blocks/{height}", get(block))
        .route("/v1/programs", axum::routing::post(deploy))
        .route("/v1/programs/{hash}", get(program))
        .route("/v1/transactions", axum::routing::post(submit))
        .route("/v1/transactions/{id}", get(transaction))
        .route("/v1/utxos", get(utxos))
        .route("/v1/utxos/{id}", get(utxo))
        .route("/v1/token-storage/{program}/{name}", get(token_storage))
        .route("/v1/token-ids/{id}", get(token_id))
        .route("/v1/events", get(events))
        .route("/v1/log", get(log))
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state);
    Ok((app, jobs, writer))
}

/// A running node.
pub struct NodeHandle {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    /// The server, then the writer (which ends once the server has dropped its senders, and
    /// holds the ledger open until then).
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl NodeHandle {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops serving and waits for the server to finish.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for NodeHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Opens the ledger in `data` and serves it on `listen` (port 0 picks a free port) on a
/// thread of its own. With `block_interval`, pending transactions are sealed into a block at
/// that interval; blocks are also sealed on demand (`POST /v1/blocks`).
pub fn start(
    data: &Path,
    listen: SocketAddr,
    block_interval: Option<Duration>,
) -> Result<NodeHandle, String> {
    let ledger = Arc::new(Ledger::open(data).map_err(|e| e.to_string())?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(listen))
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    let (app, jobs, writer) = router(ledger)?;
    let (stop, stopped) = oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("node".into())
        .spawn(move || {
            runtime.block_on(async move {
                if let Some(every) = block_interval {
                    let jobs = jobs.clone();
                    tokio::spawn(async move {
                        let mut tick = tokio::time::interval(every);
                        tick.tick().await;
                        loop {
                            tick.tick().await;
                            let (tx, rx) = oneshot::channel();
                            if jobs.send(Job::Seal(false, tx)).is_err() {
                                break;
                            }
                            if let Ok(Err(e)) = rx.await {
                                eprintln!("node: sealing a block failed: {e}");
                            }
                        }
                    });
                }
                let served = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
                if let Err(e) = served {
                    eprintln!("node: the server stopped: {e}");
                }
            });
        })
        .map_err(|e| format!("cannot start the node thread: {e}"))?;
    Ok(NodeHandle {
        addr,
        stop: Some(stop),
        threads: vec![thread, writer],
    })
}
