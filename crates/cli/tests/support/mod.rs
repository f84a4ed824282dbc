//! Helpers shared by the command-line tool's tests: a `starstream node` process.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Starts `starstream node` on a free port for `data`, sealing blocks every `block_ms`
/// milliseconds (0: only on demand), with `extra` arguments; returns the process and its URL,
/// read from the line the node prints first.
pub fn start_node(data: &Path, block_ms: u32, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_starstream"))
        .args(["node", "--listen", "127.0.0.1:0", "--block-interval-ms"])
        .arg(block_ms.to_string())
        .arg("--data")
        .arg(data)
        .args(extra)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the node");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut line)
        .expect("the node prints its address");
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_string();
    (child, url)
}
