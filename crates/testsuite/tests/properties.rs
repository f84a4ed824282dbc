//! Property tests of the front end: for generated programs, formatting keeps the syntax tree
//! and is idempotent; for random input, neither the parser, the formatter nor the checker panics.

use proptest::prelude::*;
use starstream_diagnostics::FileId;
use starstream_testsuite::tree_without_spans;

/// Names, including contextual words that stay ordinary names inside expressions.
fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a", "b", "total", "x1", "_tmp", "count", "main", "storage", "token", "utxo", "impl",
    ])
    .prop_map(str::to_string)
}

fn type_name() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["Point", "Shape", "Counter", "Coin", "Escrow"])
        .prop_map(str::to_string)
}

fn int_literal() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u64..100_000).prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| format!("0x{n:x}")),
        (0u64..4096).prop_map(|n| format!("0o{n:o}")),
        (0u64..256).prop_map(|n| format!("0b{n:b}")),
    ]
}

fn ty() -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        prop::sample::select(vec!["i8", "u8", "i32", "u64", "bool", "Utxo", "_", "()"])
            .prop_map(str::to_string),
        type_name(),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|t| format!("Option<{t}>")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("Result<{a}, {b}>")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("({a}, {b})")),
        ]
    })
    .boxed()
}

fn expr() -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        int_literal(),
        Just("true".to_string()),
        Just("false".to_string()),
        Just("()".to_string()),
        name(),
        (type_name(), name()).prop_map(|(t, v)| format!("{t}::{v}")),
    ];
    leaf.prop_recursive(4, 48, 3, |e| {
        let op = prop::sample::select(vec![
            "*", "/", "%", "+", "-", "<", "<=", ">", ">=", "==", "!=", "&&", "||",
        ]);
        prop_oneof![
            (e.clone(), op, e.clone()).prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            e.clone().prop_map(|a| format!("-{a}")),
            e.clone().prop_map(|a| format!("!{a}")),
            e.clone().prop_map(|a| format!("({a})")),
            (e.clone(), e.clone()).prop_map(|(a, b)| format!("({a}, {b},)")),
            (name(), prop::collection::vec(e.clone(), 0..3)).prop_map(|(f, args)| format!("{f}({})", args.join(", "))),
            (name(), name()).prop_map(|(b, f)| format!("{b}.{f}")),
            (type_name(), e.clone(), e.clone()).prop_map(|(t, a, b)| format!("{t} {{ x: {a}, y: {b} }}")),
            e.clone().prop_map(|a| format!("disclose({a})")),
            (prop::sample::select(vec!["emit", "raise", "runtime"]), name(), e.clone())
                .prop_map(|(k, f, a)| format!("{k} {f}({a})")),
            (e.clone(), e.clone(), e.clone()).prop_map(|(c, a, b)| format!("if ({c}) {{ {} }} else {{ {} }}", in_statement(&a), in_statement(&b))),
            (name(), e.clone(), e.clone()).prop_map(|(s, a, b)| format!(
                "match {s} {{ Shape::Circle(r) => {{ {a} }}, Point {{ x, y: 0 }} => {{ {b} }}, (1, -2) => {{ }}, _ => {{ {a} }} }}",
                a = in_statement(&a), b = in_statement(&b)
            )),
            (name(), e.clone(), e.clone()).prop_map(|(v, a, b)| format!("{{ let {v} = {a}; {} }}", in_statement(&b))),
            Just("yield(Escrow, Coin)".to_string()),
        ]
    })
    .boxed()
}

/// At the start of a statement, `if`, `match` and blocks end the statement (as in Rust), so an
/// expression that merely starts with one is parenthesized there.
fn in_statement(e: &str) -> String {
    if e.starts_with('{') || e.starts_with("if ") || e.starts_with("match ") {
        format!("({e})")
    } else {
        e.to_string()
    }
}

fn comment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(String::new()),
        Just("// a line comment\n".to_string()),
        Just("/* a block comment */ ".to_string()),
        Just("\n".to_string()),
    ]
}

fn stmt() -> BoxedStrategy<String> {
    prop_oneof![
        (
            comment(),
            any::<bool>(),
            name(),
            prop::option::of(ty()),
            expr()
        )
            .prop_map(|(c, m, v, t, e)| {
                let t = t.map(|t| format!(": {t}")).unwrap_or_default();
                format!("{c}let {}{v}{t} = {e};", if m { "mut " } else { "" })
            }),
        (comment(), name(), expr()).prop_map(|(c, v, e)| format!("{c}{v} = {e};")),
        (expr(), expr()).prop_map(|(c, e)| format!("while ({c}) {{ {}; }}", in_statement(&e))),
        prop::option::of(expr()).prop_map(|e| format!("return {};", e.unwrap_or_default())),
        Just("resume;".to_string()),
        (expr(), name(), expr()).prop_map(|(b, v, h)| format!(
            "try {{ {}; }} with Escrow::Ask({v}, _) {{ {} }} with Log() {{}}",
            in_statement(&b),
            in_statement(&h)
        )),
        (expr(), any::<bool>()).prop_map(|(e, m)| format!(
            "assert({e}{});",
            if m { ", \"it \\\"holds\\\"\"" } else { "" }
        )),
        any::<bool>().prop_map(|m| format!("fail{};", if m { " \"no\\n\"" } else { "" })),
        (comment(), expr()).prop_map(|(c, e)| format!("{c}{};", in_statement(&e))),
        (expr(), expr()).prop_map(|(c, e)| format!("if ({c}) {{ {} }}", in_statement(&e))),
    ]
    .boxed()
}

fn params() -> impl Strategy<Value = String> {
    prop::collection::vec((any::<bool>(), name(), ty()), 0..3).prop_map(|ps| {
        ps.into_iter()
            .map(|(p, n, t)| format!("{}{n}: {t}", if p { "pub " } else { "" }))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// ABI declarations take plain `name: Type` parameters (no `pub`).
fn abi_params() -> impl Strategy<Value = String> {
    prop::collection::vec((name(), ty()), 0..3).prop_map(|ps| {
        ps.into_iter()
            .map(|(n, t)| format!("{n}: {t}"))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

fn function(prefix: &'static str) -> impl Strategy<Value = String> {
    (
        name(),
        params(),
        prop::option::of(ty()),
        any::<bool>(),
        prop::collection::vec(stmt(), 0..5),
        prop::option::of(expr()),
    )
        .prop_map(move |(n, ps, ret, eff, body, tail)| {
            let ret = ret.map(|t| format!(" -> {t}")).unwrap_or_default();
            let eff = if eff { " / { Ask, Log }" } else { "" };
            format!(
                "/// Documentation.\n{prefix}fn {n}({ps}){ret}{eff} {{\n{}\n{}\n}}",
                body.join("\n"),
                tail.map(|t| in_statement(&t)).unwrap_or_default()
            )
        })
}

fn item() -> BoxedStrategy<String> {
    prop_oneof![
        function(""),
        function("script "),
        function("test "),
        (type_name(), prop::collection::vec((name(), ty()), 0..4)).prop_map(|(n, fs)| {
            let fields: Vec<String> = fs.into_iter().map(|(f, t)| format!("{f}: {t}")).collect();
            format!("struct {n} {{ {} }}", fields.join(", "))
        }),
        (type_name(), ty(), ty()).prop_map(|(n, a, b)| format!("enum {n} {{ A, B({a}, {b}), C {{ x: {a} }}, }}")),
        (type_name(), ty(), function("main "), function("")).prop_map(|(n, t, m, f)| {
            format!("utxo {n} {{ storage {{ let mut s: {t}; }} {m} impl Escrow {{ {f} }} }}")
        }),
        (type_name(), ty(), function("mint "), function("burn ")).prop_map(|(n, t, m, b)| {
            format!("token {n} {{ storage {{ indexed let mut s: {t}; let mut q: u64; }} {m} {b} }}")
        }),
        (type_name(), abi_params(), ty()).prop_map(|(n, ps, t)| {
            format!("abi {n} {{ event E({ps}); effect Ask({ps}) -> {t}; fn go({ps}) -> {t} / {{ Ask }}; }}")
        }),
        Just("import { a, b as c, } from \"./helpers.star\";".to_string()),
        Just("import cardano from starstream:std/cardano;".to_string()),
    ]
    .boxed()
}

fn program() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::collection::vec((comment(), item()), 1..5),
    )
        .prop_map(|(contract, items)| {
            let mut text = if contract {
                "contract;\n".to_string()
            } else {
                String::new()
            };
            for (c, i) in items {
                text.push_str(&c);
                text.push_str(&i);
                text.push('\n');
            }
            text
        })
}

/// Language tokens, shuffled: closer to real mistakes than random characters.
fn token_soup() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "fn", "let", "mut", "pub", "if", "else", "while", "match", "return", "resume", "yield",
        "try", "with", "struct", "enum", "utxo", "token", "abi", "impl", "storage", "main",
        "script", "effect", "event", "emit", "raise", "runtime", "disclose", "contract", "import",
        "from", "as", "is", "x", "Y", "0", "0x1f", "\"s\"", "(", ")", "{", "}", "<", ">", ",", ";",
        ":", "::", ".", "->", "=>", "=", "==", "+", "-", "*", "/", "!", "&&", "||", "_", "//c\n",
        "/*", "*/", "///d\n", "\n", "@",
    ]);
    prop::collection::vec(token, 0..200).prop_map(|ts| ts.join(" "))
}

proptest! {
    // Failures print their minimal input; no regression files are written into the tree.
    // `PROPTEST_CASES=N` runs more (or fewer) cases than the default 256.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn formatting_keeps_the_tree_and_is_idempotent(src in program()) {
        let parsed = starstream_syntax::parse(FileId(0), &src);
        prop_assert!(!parsed.has_errors(), "generated program does not parse: {:?}\n{src}", parsed.diagnostics);
        let formatted = starstream_fmt::format_source(FileId(0), &src).expect("clean programs format");
        let reparsed = starstream_syntax::parse(FileId(0), &formatted);
        prop_assert!(!reparsed.has_errors(), "formatted program does not parse: {:?}\n{formatted}", reparsed.diagnostics);
        prop_assert_eq!(tree_without_spans(&parsed.program), tree_without_spans(&reparsed.program), "\n{}", formatted);
        let twice = starstream_fmt::format_source(FileId(0), &formatted).expect("formatted output formats");
        prop_assert_eq!(formatted, twice);
    }

    #[test]
    fn checking_generated_programs_never_panics(src in program()) {
        // Generated programs are syntactically valid but rarely well typed: the checker must
        // report, never crash.
        let ws = starstream_modules::load_source("generated.star", &src);
        let checked = starstream_check::check(&ws);
        for d in &checked.diagnostics {
            if let Some(label) = &d.primary {
                prop_assert!(label.span.end as usize <= src.len());
            }
        }
    }

    #[test]
    fn random_text_never_panics(src in any::<String>()) {
        let parsed = starstream_syntax::parse(FileId(0), &src);
        let _ = starstream_fmt::format_source(FileId(0), &src);
        prop_assert!(parsed.tokens.last().is_some_and(|t| t.kind == starstream_syntax::TokenKind::Eof));
    }

    #[test]
    fn token_soup_never_panics(src in token_soup()) {
        let ws = starstream_modules::load_source("soup.star", &src);
        let _ = starstream_check::check(&ws);
        let parsed = starstream_syntax::parse(FileId(0), &src);
        if !parsed.has_errors() {
            let formatted = starstream_fmt::format_source(FileId(0), &src).expect("clean input formats");
            let reparsed = starstream_syntax::parse(FileId(0), &formatted);
            prop_assert_eq!(tree_without_spans(&parsed.program), tree_without_spans(&reparsed.program));
        }
        for d in &parsed.diagnostics {
            if let Some(label) = &d.primary {
                prop_assert!(label.span.end as usize <= src.len());
            }
        }
    }
}
