//! Prints the IR of a contract file: `cargo run -p starstream-codegen --example ir FILE`.
fn main() {
    let path = std::env::args().nth(1).expect("a .star file");
    let ws = starstream_modules::load(&[path.into()]);
    let checked = starstream_check::check(&ws);
    let file = ws.modules[0].file;
    match starstream_codegen::compile_contract(&ws, &checked, file) {
        Ok(c) => print!("{}", c.module.to_text()),
        Err(d) => eprint!("{}", starstream_diagnostics::render_human(&ws.sources, &d)),
    }
}
