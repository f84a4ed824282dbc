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

#[test]
fn every_example_contract_builds_inside_the_subset() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let ws = starstream_modules::load(&[root]);
    let checked = starstream_check::check(&ws);
    assert!(
        !checked.has_errors(),
        "{}",
        render_human(&ws.sources, &checked.diagnostics)
    );
    let mut built = 0;
    for m in ws.modules.iter().filter(|m| m.is_contract) {
        let contract = starstream_codegen::build_contract(&ws, &checked, m.file)
            .unwrap_or_else(|d| panic!("{}", render_human(&ws.sources, &d)));
        starstream_wasm::check_subset(&contract.wasm)
            .unwrap_or_else(|e| panic!("{}: {e}", contract.name));
        built += 1;
    }
    assert!(built >= 3, "the counter, token and calculator examples");
}
