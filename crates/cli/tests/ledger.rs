//! End-to-end tests of the ledger commands on a temporary ledger directory: keys, deploying,
//! running scripts (receipts, dry runs, located failures that write nothing, double spends),
//! and the queries (`utxos`, `show`, `events`, `state`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod support;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const WALLET: &str = "examples/wallet/wallet.star";

/// A temporary ledger; commands run from the repository root against it.
struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    fn ledger(&self) -> PathBuf {
        self.dir.path().join("ledger")
    }

    fn cmd(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_starstream"))
            .arg("--ledger")
            .arg(self.ledger())
            .args(args)
            .current_dir(repo())
            .output()
            .expect("run starstream")
    }

    /// Runs a command that must succeed and print JSON.
    fn json(&self, args: &[&str]) -> Value {
        let o = self.cmd(args);
        assert!(o.status.success(), "{args:?}: {}", err(&o));
        serde_json::from_slice(&o.stdout).expect("JSON on stdout")
    }

    /// Runs a command that must fail with `code` in its output, changing nothing.
    fn fails(&self, args: &[&str], code: &str) -> String {
        let before = self.json(&["state"]);
        let o = self.cmd(args);
        let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), err(&o));
        assert_eq!(o.status.code(), Some(1), "{all}");
        assert!(all.contains(code), "expected {code} in:\n{all}");
        assert!(!all.contains("panicked"), "{all}");
        assert_eq!(
            self.json(&["state"]),
            before,
            "a failed command changed the ledger"
        );
        all
    }
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn id(v: &Value) -> String {
    v.as_str().expect("an id").to_string()
}

#[test]
fn keys_are_made_listed_and_never_replaced() {
    let env = Env::new();
    let alice = env.json(&["key", "new", "alice"]);
    assert_eq!(alice["public_key"].as_str().map(str::len), Some(66));
    env.json(&["key", "new", "bob"]);
    let list = env.json(&["key", "list"]);
    assert_eq!(list["keys"][0]["name"], "alice");
    assert_eq!(list["keys"][0]["public_key"], alice["public_key"]);
    assert_eq!(list["keys"].as_array().unwrap().len(), 2);
    let o = env.cmd(&["key", "new", "alice"]);
    assert!(err(&o).contains("already exists"), "{}", err(&o));
    let o = env.cmd(&["key", "new", "../escape"]);
    assert!(err(&o).contains("not a key name"), "{}", err(&o));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.ledger().join("keys/alice.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "a key file is readable by its owner only");
    }
}

#[test]
fn a_wallet_lives_on_the_ledger_across_runs() {
    let env = Env::new();
    env.json(&["key", "new", "alice"]);
    env.json(&["key", "new", "bob"]);
    let issued = env.json(&[
        "run",
        WALLET,
        "issue",
        "1000",
        "key:alice",
        "key:alice",
        "--signer",
        "alice",
    ]);
    assert_eq!(issued["minted"]["Coin"], 1000);
    assert_eq!(issued["created"][0]["type"], "Wallet");
    assert_eq!(issued["created"][0]["tokens"]["Coin"], 1000);
    assert_eq!(issued["status"], "sealed");
    assert_eq!(issued["block"], 1);
    let wallet = id(&issued["created"][0]["id"]);
    assert_eq!(issued["result"], format!("utxo:{wallet}"));

    // A dry run prints the receipt and writes nothing.
    let before = env.json(&["state"]);
    let from = format!("utxo:{wallet}");
    let pay = [
        "run", WALLET, "pay", &from, "key:bob", "300", "--signer", "alice",
    ];
    let dry = env.json(&[&pay[..], &["--dry-run"]].concat());
    assert_eq!(dry["status"], "dry-run");
    assert_eq!(env.json(&["state"]), before);

    let paid = env.json(&pay);
    assert_eq!(paid["consumed"][0], wallet.as_str());
    assert_eq!(paid["created"][0]["tokens"]["Coin"], 700);
    assert_eq!(paid["created"][1]["tokens"]["Coin"], 300);
    let results = paid["result"].as_array().expect("a pair of wallets");
    assert_eq!(
        results[1],
        format!("utxo:{}", id(&paid["created"][1]["id"]))
    );

    // Spending the paid wallet again is a double spend, named as such; nothing is written.
    let out = env.fails(
        &[
            "run",
            WALLET,
            "pay",
            &format!("utxo:{wallet}"),
            "key:bob",
            "1",
            "--signer",
            "alice",
        ],
        "error[ledger:double-spend]",
    );
    assert!(out.contains(&id(&paid["tx"])), "{out}");

    // Queries.
    let utxos = env.json(&["utxos", "--type", "Wallet"]);
    assert_eq!(utxos["utxos"].as_array().unwrap().len(), 2);
    assert_eq!(
        env.json(&["utxos", "--type", "Nope"])["utxos"],
        serde_json::json!([])
    );
    let shown = env.json(&["show", &id(&paid["tx"])]);
    assert_eq!(shown["kind"], "transaction");
    assert_eq!(shown["status"], "sealed");
    // A new ledger requires proofs, so `run` proved it without being asked.
    let evidence = shown["evidence"].as_array().unwrap();
    assert_eq!(evidence[0], "re-execution");
    assert!(
        evidence[1].as_str().unwrap().starts_with("proof:"),
        "{evidence:?}"
    );
    assert!(shown["proof"]["bytes"].as_u64().unwrap() > 0, "{shown}");
    assert_eq!(shown["transaction"]["consumed"][0], wallet.as_str());
    let spent = env.json(&["show", &format!("utxo:{wallet}")]);
    assert_eq!(spent["status"], "spent");
    assert_eq!(spent["spent_by"], paid["tx"]);
    let events = env.json(&["events"]);
    assert!(!events["events"].as_array().unwrap().is_empty());
    let state = env.json(&["state"]);
    assert_eq!(state["height"], 2);
    assert_eq!(state["state_root"], state["block_root"]);
    env.fails(&["show", &"ab".repeat(32)], "no transaction or UTXO");
    env.fails(&["show", "nonsense"], "is not an id");
}

#[test]
fn failures_are_located_and_write_nothing() {
    let env = Env::new();
    env.json(&["key", "new", "alice"]);
    // Nobody signs: the policy's assert fails, and the error points at it.
    let out = env.fails(
        &["run", WALLET, "issue", "5", "key:alice", "key:alice"],
        "error[trap:assert_failed]",
    );
    assert!(out.contains("--> examples/wallet/wallet.star:"), "{out}");
    assert!(out.contains("the issuer must sign"), "{out}");
    // Bad arguments, keys and scripts.
    let unknown = format!("utxo:{}", "cd".repeat(32));
    for (args, expected) in [
        (
            vec!["issue", "five", "key:alice", "key:alice"],
            "not an integer",
        ),
        (
            vec!["issue", "-5", "key:alice", "key:alice"],
            "cannot be negative",
        ),
        (vec!["issue", "1", "0xzz", "key:alice"], "64 hex digits"),
        (
            vec!["issue", "1", "key:carol", "key:alice"],
            "no key named `carol`",
        ),
        (
            vec![
                "issue",
                "1",
                "key:alice",
                "key:alice",
                "--signer",
                "mallory",
            ],
            "signer `mallory`",
        ),
        (
            vec!["pay", "utxo:12", "key:alice", "1"],
            "`utxo:` and its 64-hex-digit id",
        ),
        (
            vec!["pay", &unknown, "key:alice", "1"],
            "error[ledger:unknown-input]",
        ),
    ] {
        env.fails(&[&["run", WALLET][..], &args].concat(), expected);
    }
    env.fails(&["run", WALLET, "nothing"], "has no function `nothing`");
    env.fails(&["run", WALLET, "issue", "1"], "takes 3 arguments");
}

#[test]
fn built_artifacts_deploy_and_run() {
    let env = Env::new();
    let out = env.dir.path().join("built");
    let o = env.cmd(&["build", WALLET, "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    let json = out.join("wallet.json");
    let deployed = env.json(&["deploy", json.to_str().unwrap()]);
    let program = deployed["programs"][0]["program"].clone();
    // Deploying the sources gives the same program, once.
    let again = env.json(&["deploy", WALLET]);
    assert_eq!(again["programs"][0]["program"], program);
    env.json(&["key", "new", "alice"]);
    let issued = env.json(&[
        "run",
        json.to_str().unwrap(),
        "issue",
        "7",
        "key:alice",
        "key:alice",
        "--signer",
        "alice",
    ]);
    assert_eq!(issued["created"][0]["program"], program);
    // A tampered module no longer matches its metadata's hash.
    let wasm = out.join("wallet.wasm");
    let mut bytes = std::fs::read(&wasm).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&wasm, bytes).unwrap();
    env.fails(
        &["deploy", json.to_str().unwrap()],
        "error[ledger:artifact]",
    );
}

/// A `starstream node` process on a free port, killed when dropped.
struct NodeProcess {
    child: std::process::Child,
    url: String,
}

impl NodeProcess {
    /// A node for `data`, started with `extra` arguments.
    fn start(data: &Path, extra: &[&str]) -> NodeProcess {
        let (child, url) = support::start_node(data, 0, extra);
        NodeProcess { child, url }
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `starstream run` of the wallet's `issue` of 50 coins to alice, signed by her, sent to the
/// node at `url`.
fn issue_on_node(url: &str) -> [&str; 10] {
    [
        "run",
        WALLET,
        "issue",
        "50",
        "key:alice",
        "key:alice",
        "--signer",
        "alice",
        "--node",
        url,
    ]
}

#[test]
fn a_new_node_requires_proofs_and_run_proves_for_it() {
    let env = Env::new();
    env.json(&["key", "new", "alice"]);
    // A new ledger requires proofs: `run` proves without being asked.
    let node = NodeProcess::start(&env.dir.path().join("node"), &[]);
    let url = node.url.as_str();
    let state: Value = serde_json::from_slice(&env.cmd(&["state", "--node", url]).stdout).unwrap();
    assert_eq!(state["requires_proofs"], true);
    let issued = env.json(&issue_on_node(url));
    assert_eq!(issued["status"], "pending");
    assert!(issued["proof"]["bytes"].as_u64().unwrap() > 0, "{issued}");
    // A node told otherwise takes transactions without proofs, and `run` sends none.
    let relaxed = NodeProcess::start(
        &env.dir.path().join("relaxed"),
        &["--require-proofs", "false"],
    );
    let url = relaxed.url.as_str();
    let state: Value = serde_json::from_slice(&env.cmd(&["state", "--node", url]).stdout).unwrap();
    assert_eq!(state["requires_proofs"], false);
    let issued = env.json(&issue_on_node(url));
    assert_eq!(issued["proof"], Value::Null);
    // `--prove` proves anyway.
    let proven = env.json(&[&issue_on_node(url)[..], &["--prove"]].concat());
    assert!(proven["proof"]["bytes"].as_u64().unwrap() > 0);
    // A dry run written without a proof, proven against the node's state, then submitted.
    let file = |name: &str| env.dir.path().join(name).to_str().unwrap().to_string();
    let (plain, with_proof) = (file("plain.sstx"), file("proven.sstx"));
    let dry = [&issue_on_node(url)[..], &["--dry-run", "--out", &plain]].concat();
    assert_eq!(env.json(&dry)["proof"], Value::Null);
    let proved = env.json(&["prove", &plain, "--node", url, "--out", &with_proof]);
    assert!(proved["proof"]["bytes"].as_u64().unwrap() > 0, "{proved}");
    let submitted = env.json(&["submit", &with_proof, "--node", url]);
    assert_eq!(submitted["status"], "pending");
    assert_eq!(submitted["tx"], proved["tx"]);
}

#[test]
fn run_and_queries_go_to_a_node_with_node_url() {
    let env = Env::new();
    let node = NodeProcess::start(&env.dir.path().join("node"), &[]);
    let url = node.url.as_str();
    env.json(&["key", "new", "alice"]);
    let issued = env.json(&issue_on_node(url));
    assert_eq!(issued["status"], "pending");
    let wallet = id(&issued["created"][0]["id"]);
    let from = format!("utxo:{wallet}");
    let pay = |amount| {
        let args = [
            "run",
            WALLET,
            "pay",
            &from,
            "key:alice",
            amount,
            "--signer",
            "alice",
        ];
        env.cmd(&[&args[..], &["--node", url]].concat())
    };
    let paid = pay("5");
    assert!(paid.status.success(), "{}", err(&paid));
    let paid: Value = serde_json::from_slice(&paid.stdout).unwrap();
    assert_eq!(paid["consumed"][0], wallet.as_str());
    let again = pay("6");
    assert_eq!(again.status.code(), Some(1));
    assert!(
        err(&again).contains("error[ledger:double-spend]"),
        "{}",
        err(&again)
    );
    // The local ledger was never touched; the node has it all.
    assert_eq!(env.json(&["state"])["transactions"], 0);
    let state = env.json(&["state", "--node", url]);
    assert_eq!(
        (state["transactions"].as_u64(), state["pending"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(
        env.json(&["utxos", "--node", url])["utxos"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let shown = env.json(&["show", &id(&paid["tx"]), "--node", url]);
    assert_eq!(
        (shown["kind"].as_str(), shown["status"].as_str()),
        (Some("transaction"), Some("pending"))
    );
    let spent = env.json(&["show", &wallet, "--node", url]);
    assert_eq!(spent["spent_by"], paid["tx"]);
    assert!(!env.json(&["events", "--node", url])["events"]
        .as_array()
        .unwrap()
        .is_empty());
    // Following prints each event as a line of JSON as it comes.
    let mut follower = Command::new(env!("CARGO_BIN_EXE_starstream"))
        .args(["events", "--follow", "--node", url])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    use std::io::BufRead;
    std::io::BufReader::new(follower.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = follower.kill();
    let _ = follower.wait();
    let event: Value = serde_json::from_str(&line).expect("one JSON event per line");
    assert_eq!(event["tx"], paid["tx"]);
    // A node that is not there is a clear error.
    let o = env.cmd(&["state", "--node", "http://127.0.0.1:9"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("node:unreachable"), "{}", err(&o));
}

#[test]
fn a_directory_of_contracts_runs_a_script_by_name_or_by_contract() {
    let env = Env::new();
    env.json(&["key", "new", "alice"]);
    let made = env.json(&["run", "examples", "counter::create", "3"]);
    assert_eq!(made["created"][0]["type"], "Counter");
    let issued = env.json(&[
        "run",
        "examples",
        "issue",
        "9",
        "key:alice",
        "key:alice",
        "--signer",
        "alice",
    ]);
    assert_eq!(issued["minted"]["Coin"], 9);
    env.fails(
        &["run", "examples", "nothing::create", "3"],
        "no contract given has",
    );
    env.fails(
        &["run", "examples", "no_such_script"],
        "no contract given has",
    );
}

#[test]
fn a_program_is_the_same_wherever_and_however_its_path_is_given() {
    let env = Env::new();
    let a = env.json(&["deploy", WALLET]);
    let b = env.json(&["deploy", "./crates/../examples/wallet/wallet.star"]);
    let copy = env.dir.path().join("elsewhere");
    std::fs::create_dir_all(&copy).unwrap();
    std::fs::copy(repo().join(WALLET), copy.join("wallet.star")).unwrap();
    let c = env.json(&["deploy", copy.join("wallet.star").to_str().unwrap()]);
    assert_eq!(a["programs"][0]["program"], b["programs"][0]["program"]);
    assert_eq!(a["programs"][0]["program"], c["programs"][0]["program"]);
}

#[test]
fn a_transaction_made_without_a_proof_is_proven_then_submitted() {
    use starstream_tx::{Canonical, SignedTransaction};
    let env = Env::new();
    // A ledger told to take transactions without proofs, so that `run` writes one without.
    drop(NodeProcess::start(
        &env.ledger(),
        &["--require-proofs", "false"],
    ));
    env.json(&["key", "new", "alice"]);
    // Proving and submitting read the programs from the ledger.
    env.json(&["deploy", WALLET]);
    let path = |name: &str| env.dir.path().join(name).to_str().unwrap().to_string();
    let (plain, proven) = (path("plain.sstx"), path("proven.sstx"));
    let issue = [
        "run",
        WALLET,
        "issue",
        "70",
        "key:alice",
        "key:alice",
        "--signer",
        "alice",
    ];
    let made = env.json(&[&issue[..], &["--dry-run", "--out", &plain]].concat());
    assert_eq!(made["proof"], Value::Null);
    assert!(err(&env.cmd(&["verify", &plain])).contains("carries no proof"));
    // Proving executes the script again, here, and attaches the proof.
    let proved = env.json(&["prove", &plain, "--out", &proven]);
    assert!(proved["proof"]["bytes"].as_u64().unwrap() > 0, "{proved}");
    assert_eq!(proved["tx"], made["tx"]);
    assert!(env.cmd(&["verify", &proven]).status.success());
    // Arguments other than the ones that made it (they are not signed): executing them gives
    // another transaction, so there is nothing to prove.
    let mut altered = SignedTransaction::from_canonical(&std::fs::read(&plain).unwrap()).unwrap();
    altered.args.as_mut().unwrap()[0] = starstream_runtime::Arg::Int(71);
    let altered_path = path("altered.sstx");
    std::fs::write(&altered_path, altered.to_canonical()).unwrap();
    env.fails(&["prove", &altered_path], "ledger:mismatch");
    // Without its arguments there is nothing to execute; with a signature broken, nothing to
    // trust; a file that is not there is said so.
    let mut bare = SignedTransaction::from_canonical(&std::fs::read(&plain).unwrap()).unwrap();
    bare.args = None;
    let bare_path = path("bare.sstx");
    std::fs::write(&bare_path, bare.to_canonical()).unwrap();
    env.fails(&["prove", &bare_path], "ledger:no-witness");
    let mut forged = SignedTransaction::from_canonical(&std::fs::read(&plain).unwrap()).unwrap();
    forged.tx.fuel_used += 1;
    let forged_path = path("forged.sstx");
    std::fs::write(&forged_path, forged.to_canonical()).unwrap();
    env.fails(&["prove", &forged_path], "ledger:signature");
    let missing = path("missing.sstx");
    env.fails(&["prove", &missing], "cannot read");
    env.fails(&["submit", &missing], "cannot read");
    // Not a transaction at all.
    let garbage = path("garbage.sstx");
    std::fs::write(&garbage, b"not a transaction").unwrap();
    env.fails(&["prove", &garbage], "ledger:decode");
    env.fails(&["submit", &garbage], "ledger:decode");
    // Once the ledger requires proofs, the plain transaction is refused and the proven one
    // applied, once.
    drop(NodeProcess::start(
        &env.ledger(),
        &["--require-proofs", "true"],
    ));
    env.fails(&["submit", &plain], "ledger:no-proof");
    let submitted = env.json(&["submit", &proven]);
    assert_eq!(submitted["status"], "sealed");
    assert_eq!(submitted["tx"], made["tx"]);
    env.fails(&["submit", &proven], "ledger:replayed");
    // The ledger has moved on: the file no longer executes to itself here.
    env.fails(&["prove", &proven], "ledger:mismatch");
}

#[test]
fn a_proven_transaction_is_written_verified_offline_and_shown_with_its_proof() {
    let env = Env::new();
    let out = env.dir.path().join("counter.sstx");
    let made = env.json(&[
        "run",
        "examples/counter/counter.star",
        "create",
        "5",
        "--prove",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        made["proof"]["layers"],
        serde_json::json!(["interleaving", "execution"])
    );
    assert_eq!(made["proof"]["soundness"], "conjectured");
    assert_eq!(made["status"], "sealed");
    let checked = env.json(&["verify", out.to_str().unwrap()]);
    assert_eq!(checked["proof"]["valid"], true);
    assert_eq!(checked["tx"], made["tx"]);
    // Provable soundness on request: a larger proof, verified and applied as any other.
    let provable = env.dir.path().join("provable.sstx");
    let strong = env.json(&[
        "run",
        "examples/counter/counter.star",
        "create",
        "6",
        "--prove",
        "--provable",
        "--out",
        provable.to_str().unwrap(),
    ]);
    assert_eq!(strong["proof"]["soundness"], "provable");
    assert_eq!(strong["status"], "sealed");
    assert!(strong["proof"]["bytes"].as_u64() > made["proof"]["bytes"].as_u64());
    let checked = env.json(&["verify", provable.to_str().unwrap()]);
    assert_eq!(checked["proof"]["valid"], true);
    // Elsewhere, without the ledger that deployed the counter, the proof cannot be checked
    // until the counter's module is given; verifying creates no ledger.
    let elsewhere = env.dir.path().join("no-ledger");
    let verify_elsewhere = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_starstream"))
            .arg("--ledger")
            .arg(&elsewhere)
            .args(["verify", out.to_str().unwrap()])
            .args(extra)
            .current_dir(repo())
            .output()
            .expect("run starstream")
    };
    let o = verify_elsewhere(&[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("error[proof:module]"), "{}", err(&o));
    assert!(err(&o).contains("--modules"), "{}", err(&o));
    assert!(!elsewhere.exists());
    let built = env.dir.path().join("built");
    let o = env.cmd(&["build", "examples/counter", "-o", built.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    let o = verify_elsewhere(&["--modules", built.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    let o = verify_elsewhere(&["--modules", built.join("counter.wasm").to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    // A module path that cannot be read: a clear error, exit 1.
    let o = verify_elsewhere(&["--modules", "/nonexistent-dir/x.wasm"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("cannot read `/nonexistent-dir/x.wasm`"),
        "{}",
        err(&o)
    );
    let shown = env.json(&["show", &id(&made["tx"])]);
    assert_eq!(
        shown["evidence"],
        serde_json::json!(["re-execution", "proof:interleaving", "proof:execution"])
    );
    // An edited file is refused with a reason, exit 1.
    let mut bytes = std::fs::read(&out).unwrap();
    let at = bytes.len() - 1000;
    bytes[at] ^= 0x10;
    let bad = env.dir.path().join("bad.sstx");
    std::fs::write(&bad, bytes).unwrap();
    let o = env.cmd(&["verify", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("error[proof:"), "{}", err(&o));
    // A transaction without a proof says so. (Made on a ledger told to take transactions
    // without proofs, a rule `starstream node --require-proofs false` sets and keeps.)
    let relaxed = Env::new();
    drop(NodeProcess::start(
        &relaxed.ledger(),
        &["--require-proofs", "false"],
    ));
    let plain = env.dir.path().join("plain.sstx");
    relaxed.json(&[
        "run",
        "examples/counter/counter.star",
        "create",
        "6",
        "--dry-run",
        "--out",
        plain.to_str().unwrap(),
    ]);
    let o = env.cmd(&["verify", plain.to_str().unwrap()]);
    assert!(err(&o).contains("carries no proof"), "{}", err(&o));
    // An `--out` that cannot be written: a clear error, and nothing reaches the ledger.
    env.fails(
        &[
            "run",
            "examples/counter/counter.star",
            "create",
            "7",
            "--out",
            "/nonexistent-dir/x.sstx",
        ],
        "cannot write `/nonexistent-dir/x.sstx`",
    );
    let o = env.cmd(&["verify", "Cargo.toml"]);
    assert!(err(&o).contains("not a signed transaction"), "{}", err(&o));
}
