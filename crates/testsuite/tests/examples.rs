//! The example contracts under `examples/` check cleanly and are in canonical format.

use starstream_diagnostics::render_human;

#[test]
fn examples_check_clean_and_are_formatted() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let ws = starstream_modules::load(&[root]);
    assert!(
        ws.diagnostics.is_empty(),
        "{}",
        render_human(&ws.sources, &ws.diagnostics)
    );
    assert!(ws.modules.iter().filter(|m| m.is_contract).count() >= 2);
    for m in &ws.modules {
        let file = ws.sources.get(m.file).expect("loaded");
        let formatted = starstream_fmt::format_source(m.file, &file.text).expect("formats");
        assert_eq!(formatted, file.text, "{} is not formatted", file.name);
    }
}
