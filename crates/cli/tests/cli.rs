//! End-to-end tests of the `starstream` binary: exit codes, output formats, and bad input
//! (missing paths, empty directories, binary files, huge files, deep nesting) that must give a
//! clear diagnostic and exit code 1, never a panic or a lost file.

use std::path::Path;
use std::process::{Command, Output};

fn starstream(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_starstream"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run starstream")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Exit code 1, the given code in the output, and no sign of a panic.
fn assert_fails_with(o: &Output, code: &str) {
    let all = format!("{}{}", stdout(o), stderr(o));
    assert_eq!(o.status.code(), Some(1), "{all}");
    assert!(all.contains(code), "expected {code} in:\n{all}");
    assert!(
        !all.contains("panicked") && !all.contains("internal compiler error"),
        "{all}"
    );
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

const CLEAN: &str = "contract;\n\nfn add(a: i64, b: i64) -> i64 {\n    a + b\n}\n";

#[test]
fn check_passes_clean_code() {
    let dir = temp();
    std::fs::write(dir.path().join("ok.star"), CLEAN).unwrap();
    let o = starstream(&["check", "ok.star"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("checked 1 file: no errors"));
}

#[test]
fn check_reports_every_error_with_location_and_exit_1() {
    let dir = temp();
    std::fs::write(
        dir.path().join("bad.star"),
        "fn a() { let x = ; }\nfn b() { let y = 1 }\n",
    )
    .unwrap();
    let o = starstream(&["check", "."], dir.path());
    assert_fails_with(&o, "error[E0001]");
    let err = stderr(&o);
    assert!(err.contains("--> bad.star:1:18"), "{err}");
    assert!(err.contains("--> bad.star:2:20"), "{err}");
    assert!(err.contains("2 errors, 0 warnings"), "{err}");
}

#[test]
fn warnings_pass_unless_denied() {
    let dir = temp();
    std::fs::write(
        dir.path().join("w.star"),
        "fn f() {}\n/// documents nothing\n",
    )
    .unwrap();
    let o = starstream(&["check", "w.star"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning[W0001]"));
    let o = starstream(&["check", "-D", "warnings", "w.star"], dir.path());
    assert_fails_with(&o, "error[W0001]");
}

#[test]
fn json_messages_are_one_object_per_line() {
    let dir = temp();
    std::fs::write(
        dir.path().join("bad.star"),
        "fn a() { let x = ; }\nstruct S { x i64 }\n",
    )
    .unwrap();
    let o = starstream(
        &["check", "--message-format", "json", "bad.star"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["code"], "E0001");
    assert_eq!(lines[0]["location"]["file"], "bad.star");
    assert_eq!(lines[0]["location"]["line"], 1);
    assert_eq!(lines[1]["location"]["line"], 2);
    assert!(lines[1]["help"].as_str().unwrap().contains("name: Type"));
}

#[test]
fn missing_paths_and_empty_directories() {
    let dir = temp();
    let o = starstream(&["check", "nowhere.star"], dir.path());
    assert_fails_with(&o, "E0100");
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    std::fs::write(dir.path().join("empty/notes.txt"), "not a source").unwrap();
    let o = starstream(&["check", "empty"], dir.path());
    assert_fails_with(&o, "E0101");
}

#[test]
fn empty_and_comment_only_files() {
    let dir = temp();
    std::fs::write(dir.path().join("empty.star"), "").unwrap();
    std::fs::write(dir.path().join("comments.star"), "// nothing here\n").unwrap();
    assert_fails_with(&starstream(&["check", "empty.star"], dir.path()), "E0014");
    assert_fails_with(
        &starstream(&["check", "comments.star"], dir.path()),
        "E0014",
    );
}

#[test]
fn non_utf8_bytes_are_located() {
    let dir = temp();
    std::fs::write(dir.path().join("latin1.star"), b"fn caf\xe9() {}\n").unwrap();
    let o = starstream(&["check", "latin1.star"], dir.path());
    assert_fails_with(&o, "E0010");
    assert!(stderr(&o).contains("latin1.star:1:7"), "{}", stderr(&o));
}

/// Deterministic pseudo-random bytes (xorshift), so the test is the same on every run.
fn random_bytes(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

#[test]
fn ten_megabytes_of_random_bytes() {
    let dir = temp();
    std::fs::write(
        dir.path().join("noise.star"),
        random_bytes(10 * 1024 * 1024, 42),
    )
    .unwrap();
    let o = starstream(&["check", "noise.star"], dir.path());
    assert_fails_with(&o, "E0010");
    let o = starstream(&["fmt", "noise.star"], dir.path());
    assert_fails_with(&o, "E0010");
}

#[test]
fn random_ascii_text_is_diagnosed_not_fatal() {
    let dir = temp();
    let alphabet = b" \n(){};:,.=+-*/<>!&|\"_aZ09x";
    let text: Vec<u8> = random_bytes(256 * 1024, 7)
        .into_iter()
        .map(|b| alphabet[b as usize % alphabet.len()])
        .collect();
    std::fs::write(dir.path().join("soup.star"), text).unwrap();
    let o = starstream(&["check", "soup.star"], dir.path());
    assert_fails_with(&o, "error[E");
}

#[test]
fn files_over_the_size_limit() {
    let dir = temp();
    let big = std::fs::File::create(dir.path().join("big.star")).unwrap();
    big.set_len(33 * 1024 * 1024).unwrap();
    assert_fails_with(&starstream(&["check", "big.star"], dir.path()), "E0011");
}

#[test]
fn deep_nesting_is_a_clear_error() {
    let dir = temp();
    let depth = 100_000;
    let text = format!(
        "fn f() -> i64 {{ {}1{} }}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    std::fs::write(dir.path().join("deep.star"), text).unwrap();
    assert_fails_with(&starstream(&["check", "deep.star"], dir.path()), "E0008");
    let blocks = format!("fn f() {{ {}{} }}\n", "{".repeat(depth), "}".repeat(depth));
    std::fs::write(dir.path().join("blocks.star"), blocks).unwrap();
    assert_fails_with(&starstream(&["check", "blocks.star"], dir.path()), "E0008");
    let unary = format!("fn f() -> i64 {{ {}1 }}\n", "-".repeat(depth));
    std::fs::write(dir.path().join("unary.star"), unary).unwrap();
    assert_fails_with(&starstream(&["check", "unary.star"], dir.path()), "E0008");
}

#[test]
fn fmt_rewrites_and_check_mode_changes_nothing() {
    let dir = temp();
    let messy = "contract;\nfn add(a:i64,b:i64)->i64{a+b}\n";
    let path = dir.path().join("messy.star");
    std::fs::write(&path, messy).unwrap();
    let o = starstream(&["fmt", "--check", "messy.star"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("not formatted: messy.star"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), messy);

    let o = starstream(&["fmt", "messy.star"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), CLEAN);
    let o = starstream(&["fmt", "--check", "messy.star"], dir.path());
    assert_eq!(o.status.code(), Some(0));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary files are left behind");
}

#[test]
fn fmt_refuses_broken_files_and_leaves_them_alone() {
    let dir = temp();
    let broken = "fn f( {\n";
    let path = dir.path().join("broken.star");
    std::fs::write(&path, broken).unwrap();
    assert_fails_with(&starstream(&["fmt", "broken.star"], dir.path()), "error[E");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
}

#[test]
fn explain_prints_the_long_form() {
    let dir = temp();
    let o = starstream(&["explain", "E0001"], dir.path());
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("# E0001: unexpected token"));
    assert!(stdout(&o).contains("```star"));
    let o = starstream(&["explain", "e0104"], dir.path());
    assert!(stdout(&o).starts_with("# E0104"));
    let o = starstream(&["explain", "E9999"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is not a Starstream diagnostic code"));
}

#[test]
fn usage_errors_exit_2() {
    let dir = temp();
    assert_eq!(starstream(&["check"], dir.path()).status.code(), Some(2));
    assert_eq!(
        starstream(&["frobnicate"], dir.path()).status.code(),
        Some(2)
    );
}

#[test]
fn check_reports_independent_type_errors_together_without_cascades() {
    let dir = temp();
    let text = "\
fn a() -> bool {
    1
}

fn b() -> i64 {
    missing + 1
}

fn c(x: u64) -> u64 {
    -x
}

fn d() -> u8 {
    300
}
";
    std::fs::write(dir.path().join("many.star"), text).unwrap();
    let o = starstream(
        &["check", "--message-format", "json", "many.star"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let codes: Vec<String> = stdout(&o)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["code"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(codes, vec!["E0300", "E0200", "E0303", "E0301"]);
}

#[test]
fn build_writes_a_wasm_module_and_its_metadata() {
    let dir = temp();
    std::fs::write(
        dir.path().join("calc.star"),
        "contract;\n\nscript fn add(pub a: u64, pub b: u64) -> u64 {\n    a + b\n}\n",
    )
    .unwrap();
    let o = starstream(&["build", "calc.star", "-o", "out", "-v"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let wasm = std::fs::read(dir.path().join("out/calc.wasm")).unwrap();
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/calc.json")).unwrap()).unwrap();
    assert_eq!(meta["version"], 2);
    assert_eq!(meta["wasm_bytes"], wasm.len());
    assert_eq!(meta["exports"][0]["name"], "add");
    assert_eq!(meta["exports"][0]["kind"], "script");
    assert_eq!(meta["exports"][0]["params"][0]["type"], "u64");
    let hash = meta["program_hash"].as_str().unwrap();
    assert_eq!(hash.len(), 64);
    assert!(stderr(&o).contains(hash));
    assert_eq!(meta["source_map"][0]["function"], "add");
    assert_eq!(meta["source_map"][0]["line"], 4);
    assert!(starstream_wasm::check_subset(&wasm).is_ok());
    let again = starstream(&["build", "calc.star", "-o", "out2"], dir.path());
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(
        std::fs::read(dir.path().join("out2/calc.wasm")).unwrap(),
        wasm,
        "builds are deterministic"
    );
}

#[test]
fn build_writes_nothing_when_any_contract_fails() {
    let dir = temp();
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let sources = dir.path().join("src");
    std::fs::create_dir_all(&sources).unwrap();
    for entry in std::fs::read_dir(&examples).unwrap() {
        let example = entry.unwrap().path();
        for file in std::fs::read_dir(&example).unwrap() {
            let file = file.unwrap().path();
            if file.extension().is_some_and(|e| e == "star") {
                std::fs::copy(&file, sources.join(file.file_name().unwrap())).unwrap();
            }
        }
    }
    std::fs::write(
        sources.join("zz_bad.star"),
        "contract;\n\nfn f() -> bool {\n    1\n}\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = starstream(
        &[
            "build",
            sources.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_fails_with(&o, "E0300");
    assert!(
        !out.exists(),
        "nothing is written when one contract of the build fails"
    );
}
