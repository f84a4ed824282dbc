//! The formatter's own tests: comments in every position, blank lines, canonical layout,
//! idempotence, and that formatting never changes the syntax tree.

use starstream_diagnostics::FileId;
use starstream_fmt::format_source;

fn fmt(text: &str) -> String {
    match format_source(FileId(0), text) {
        Ok(out) => out,
        Err(diagnostics) => panic!("unexpected syntax errors: {diagnostics:#?}\n{text}"),
    }
}

/// The syntax tree's debug text with every `start..end` span removed, so trees parsed from
/// differently laid out sources compare equal when only positions differ.
fn tree(text: &str) -> String {
    let parse = starstream_syntax::parse(FileId(0), text);
    let debug = format!("{:#?}", parse.program);
    let bytes = debug.as_bytes();
    let mut out = String::with_capacity(debug.len());
    let mut i = 0;
    while i < bytes.len() {
        let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > 0 && bytes[i + digits..].starts_with(b"..") {
            let more = bytes[i + digits + 2..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if more > 0 {
                i += digits + 2 + more;
                continue;
            }
        }
        let ch = debug[i..].chars().next().expect("in bounds");
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

fn comment_texts(text: &str) -> Vec<String> {
    let parse = starstream_syntax::parse(FileId(0), text);
    parse
        .comments
        .iter()
        .map(|c| {
            let raw = &text[c.span.range()];
            let lines: Vec<&str> = raw.lines().map(str::trim_end).collect();
            lines.join("\n")
        })
        .collect()
}

/// Formats `text` and checks everything that must hold of any output: it is stable, it
/// parses to the same tree, it keeps every comment, and its lines are clean.
fn check(text: &str) -> String {
    let once = fmt(text);
    let twice = fmt(&once);
    assert_eq!(
        once, twice,
        "formatting is not idempotent; first output:\n{once}"
    );
    assert_eq!(
        tree(text),
        tree(&once),
        "formatting changed the tree:\n{once}"
    );
    assert_eq!(
        comment_texts(text),
        comment_texts(&once),
        "comments changed:\n{once}"
    );
    assert!(!once.contains('\r'), "a carriage return survived");
    for line in once.lines() {
        assert_eq!(line, line.trim_end(), "trailing whitespace in {line:?}");
    }
    if !once.is_empty() {
        assert!(
            once.ends_with('\n') && !once.ends_with("\n\n"),
            "bad file end:\n{once:?}"
        );
    }
    assert!(
        !once.contains("\n\n\n"),
        "two blank lines in a row:\n{once}"
    );
    once
}

const SAMPLE: &str = include_str!("data/sample.star");

#[test]
fn sample_covering_the_grammar_is_canonical() {
    let out = check(SAMPLE);
    if out != SAMPLE {
        panic!("the sample is not in canonical layout; formatted:\n{out}");
    }
}

#[test]
fn parse_ok_corpus_is_stable_and_keeps_the_tree() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/parse_ok");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("readable directory").path();
        if path.extension().is_some_and(|e| e == "star") {
            let text = std::fs::read_to_string(&path).expect("readable file");
            check(&text);
            check(&with_comments(&text, " // c\n", None));
            check(&with_comments(&text, " /* c */ ", None));
        }
    }
}

#[test]
fn messy_layout_becomes_canonical() {
    let input = "contract;\nimport {a,b as c} from \"./x.star\";\nimport ns from starstream:std;\n\
        struct P{x:i64,y:Option<(i64,bool)>}\nenum E{A,B(i64,),C{x:i64}}\n\
        abi Q{event Ev(a:u64);effect Ef(a:u64)->bool;fn m(a:u64)->u64/{Ef};}\n\
        utxo U{storage{let mut a:u64;}main fn new(){a=0;yield(Q);}impl Q{fn m(a:u64)->u64/{Ef}{raise Ef(a);resume;a}}}\n\
        fn f(a:i64,pub b:i64)->i64{let pub mut x:i64=((a+b))*-b;if(x>0){x}else if u is U{0}else{while(!(x==1)){x=x-1;}x}}\n\
        script fn s(){let p=P{x:0x1F,y:None,};match p{P{x,y:Some((1,true))}=>{},_=>{fail \"no\";}}emit Ev(1);runtime now();}\n";
    let expected = r#"contract;
import { a, b as c } from "./x.star";
import ns from starstream:std;

struct P {
    x: i64,
    y: Option<(i64, bool)>,
}

enum E {
    A,
    B(i64),
    C { x: i64 },
}

abi Q {
    event Ev(a: u64);
    effect Ef(a: u64) -> bool;
    fn m(a: u64) -> u64 / { Ef };
}

utxo U {
    storage {
        let mut a: u64;
    }
    main fn new() {
        a = 0;
        yield(Q);
    }
    impl Q {
        fn m(a: u64) -> u64 / { Ef } {
            raise Ef(a);
            resume;
            a
        }
    }
}

fn f(a: i64, pub b: i64) -> i64 {
    let pub mut x: i64 = ((a + b)) * -b;
    if (x > 0) {
        x
    } else if u is U {
        0
    } else {
        while (!(x == 1)) {
            x = x - 1;
        }
        x
    }
}

script fn s() {
    let p = P { x: 0x1F, y: None };
    match p {
        P { x, y: Some((1, true)) } => {},
        _ => {
            fail "no";
        },
    }
    emit Ev(1);
    runtime now();
}
"#;
    assert_eq!(check(input), expected);
}

#[test]
fn comments_in_every_position() {
    let input = "// leading
contract; // after contract
import { a, // first
  b as c } from starstream:std;


/* between items */

fn f(a: i64, // the a
     b: i64 /* the b */) -> i64 / { E /* e */ } { // after brace
    let x = a // trailing a
        + b;
    let y = /* before value */ f(1, /* two */ 2);
    let z = g(
        // own line arg comment
        1,
        2
    );


    // two blanks above
    if (x) { // after if
    } else { /* in else */ }
    match x {
        // before arm
        1 => { 2 }, // after arm
        _ => { /* empty */ }
    }
    x /* before semi */ ;
    q = P { x: 1, // field
     y: 2 };
    let w = a /* inside */ + b;
    z
    // before close
}

fn empty() {
    // only
}
fn e2() {} // trailing after empty
struct S { // after open
}
enum En { A /* a */, B, }
fn last() { a /* end */ }
/* eof block */ // eof line
";
    let expected = "// leading
contract; // after contract
import {
    a, // first
    b as c,
} from starstream:std;

/* between items */

fn f(
    a: i64, // the a
    b: i64, /* the b */
) -> i64 / { E /* e */ } { // after brace
    let x = a // trailing a
        + b;
    let y = /* before value */ f(1, /* two */ 2);
    let z = g(
        // own line arg comment
        1,
        2,
    );

    // two blanks above
    if (x) { // after if
    } else { /* in else */ }
    match x {
        // before arm
        1 => { 2 }, // after arm
        _ => { /* empty */ },
    }
    x; /* before semi */
    q = P {
        x: 1, // field
        y: 2,
    };
    let w = a /* inside */ + b;
    z
    // before close
}

fn empty() {
    // only
}

fn e2() {} // trailing after empty

struct S { // after open
}

enum En {
    A, /* a */
    B,
}

fn last() {
    a /* end */
}
/* eof block */ // eof line
";
    assert_eq!(check(input), expected);
}

#[test]
fn shebang_and_doc_comments_print_verbatim() {
    let input = "#!/usr/bin/env starstream\n/// Docs.\n///   Indented docs.   \nfn f() {}\n/** block */\nfn g() {}\n";
    let expected = "#!/usr/bin/env starstream\n/// Docs.\n///   Indented docs.\nfn f() {}\n\n/** block */\nfn g() {}\n";
    assert_eq!(check(input), expected);
}

#[test]
fn multi_line_block_comments_are_not_reindented() {
    let input = "fn f() {\n        /* one\n   two\n      three */\n    let x = 1;\n}\n";
    let expected = "fn f() {\n    /* one\n   two\n      three */\n    let x = 1;\n}\n";
    assert_eq!(check(input), expected);
}

#[test]
fn comments_inside_lists_and_expressions() {
    let input = "fn f(
    // first parameter
    a: i64,
) -> i64 {
    let t = (1, // one
        2);
    let v = h(a,
        // last
    );
    let w = -// negated
        a;
    match t {
        (x, /* any */ _) => { x },
        P { a, // a
        } => { a },
    }
}
";
    let expected = "fn f(
    // first parameter
    a: i64,
) -> i64 {
    let t = (
        1, // one
        2,
    );
    let v = h(
        a,
        // last
    );
    let w = - // negated
        a;
    match t {
        (x, /* any */ _) => { x },
        P {
            a, // a
        } => { a },
    }
}
";
    assert_eq!(check(input), expected);
}

#[test]
fn blank_lines_are_kept_once_but_never_after_open_or_before_close() {
    let input = "contract;\n\n\nimport a from \"./a.star\";\nimport b from \"./b.star\";\n\n\nimport c from \"./c.star\";\nfn f() {\n\n    let a = 1;\n\n\n\n    let b = 2;\n    // c\n\n    let c = 3;\n\n}\nstruct S {\n\n    a: i64,\n\n    b: i64,\n\n}\n\n\n\nfn g() {}\n";
    let expected = "contract;\n\nimport a from \"./a.star\";\nimport b from \"./b.star\";\n\nimport c from \"./c.star\";\n\nfn f() {\n    let a = 1;\n\n    let b = 2;\n    // c\n\n    let c = 3;\n}\n\nstruct S {\n    a: i64,\n\n    b: i64,\n}\n\nfn g() {}\n";
    assert_eq!(check(input), expected);
}

#[test]
fn parentheses_literals_and_strings_are_kept_as_written() {
    let input = "fn f() {\n    let a = ((1 + 0x2A) * (0o17 - 0B11));\n    assert(a == a, \"tab\\there \\\"q\\\"\");\n    fail \"\\\\\";\n}\n";
    assert_eq!(check(input), input);
}

#[test]
fn statement_semicolons_follow_the_tree() {
    let input = "fn f() -> i64 {\n    if (true) {} else {};\n    if (true) {}\n    match 1 {\n        _ => {},\n    };\n    { 1 }\n    {}\n    0\n}\n";
    let expected = "fn f() -> i64 {\n    if (true) {} else {};\n    if (true) {}\n    match 1 {\n        _ => {},\n    };\n    {\n        1\n    }\n    {}\n    0\n}\n";
    assert_eq!(check(input), expected);
}

#[test]
fn long_match_arms_break_over_lines() {
    let input = "fn f(x: i64) -> i64 {\n    match x {\n        _ => { some_function_name(argument_one, argument_two, argument_three) },\n        1 => { if (true) { 1 } else { 2 } },\n    }\n}\n";
    let expected = "fn f(x: i64) -> i64 {\n    match x {\n        _ => {\n            some_function_name(argument_one, argument_two, argument_three)\n        },\n        1 => {\n            if (true) {\n                1\n            } else {\n                2\n            }\n        },\n    }\n}\n";
    assert_eq!(check(input), expected);
}

#[test]
fn crlf_becomes_lf() {
    let input = "fn f() {\r\n    // note\r\n    /* a\r\n    b */\r\n    let x = 1;\r\n}\r\n";
    let expected = "fn f() {\n    // note\n    /* a\n    b */\n    let x = 1;\n}\n";
    assert_eq!(fmt(input), expected);
    assert_eq!(fmt(expected), expected);
}

#[test]
fn files_with_syntax_errors_are_not_formatted() {
    let diagnostics = format_source(FileId(0), "fn f( {").expect_err("a syntax error");
    assert!(diagnostics.iter().any(|d| d.is_error()));
}

#[test]
fn empty_and_comment_only_files() {
    // The parser rejects a file that defines nothing, so the printer is called directly.
    let print = |text: &str| {
        let parse = starstream_syntax::parse(FileId(0), text);
        starstream_fmt::format_parsed(text, &parse)
    };
    assert_eq!(print(""), "");
    assert_eq!(print("\n\n  \n"), "");
    let comments = "  // only a comment   \n\n\n/* and this */";
    assert_eq!(print(comments), "// only a comment\n\n/* and this */\n");
}

#[test]
fn long_operator_and_call_chains() {
    // The parser caps nesting; stay just under its limit.
    let sum = vec!["a"; 200].join(" + ");
    let calls = "x".to_string() + &".f()".repeat(100);
    let input = format!("fn f() {{\n    let s = {sum};\n    {calls};\n}}\n");
    assert!(check(&input) == input, "chains were not kept on one line");
}

/// Inserts `comment` before every token of `text` (or only before the `only`-th).
fn with_comments(text: &str, comment: &str, only: Option<usize>) -> String {
    let parse = starstream_syntax::parse(FileId(0), text);
    let mut out = String::new();
    let mut last = 0;
    for (i, tok) in parse.tokens.iter().enumerate() {
        let start = tok.span.start as usize;
        out.push_str(&text[last..start]);
        if only.is_none_or(|o| o == i) {
            out.push_str(comment);
        }
        last = start;
    }
    out.push_str(&text[last..]);
    out
}

#[test]
fn comments_between_all_tokens_at_once() {
    // The spaces keep a comment from fusing with a `/` before it.
    for comment in [
        " /* c */ ",
        " // c\n",
        "\n/* c */\n",
        "\n // c\n\n",
        " /* a\n b */ ",
    ] {
        check(&with_comments(SAMPLE, comment, None));
    }
}

/// One comment at a time, so each lands next to code rather than next to other comments.
/// (The tree is compared by the tests above; its debug text is slow to build thousands of
/// times in debug builds.)
#[test]
fn a_comment_between_any_two_tokens() {
    let tokens = starstream_syntax::parse(FileId(0), SAMPLE).tokens.len();
    for comment in [" /* c */ ", " // c\n", "\n/* c */\n"] {
        for i in 0..tokens {
            let text = with_comments(SAMPLE, comment, Some(i));
            let once = fmt(&text);
            assert_eq!(once, fmt(&once), "not idempotent:\n{once}");
            assert_eq!(
                comment_texts(&text),
                comment_texts(&once),
                "comments changed:\n{once}"
            );
        }
    }
}

/// Trees with `Error` nodes are never formatted by `format_source`, but printing them must not
/// panic either.
#[test]
fn printing_broken_trees_does_not_panic() {
    let print = |text: &str| {
        let parse = starstream_syntax::parse(FileId(0), text);
        starstream_fmt::format_parsed(text, &parse)
    };
    for end in (0..SAMPLE.len()).step_by(5) {
        if SAMPLE.is_char_boundary(end) {
            print(&SAMPLE[..end]);
            print(&SAMPLE[end..]);
        }
    }
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/parse_err");
    for entry in std::fs::read_dir(dir).into_iter().flatten() {
        let path = entry.expect("readable directory").path();
        if let Ok(text) = std::fs::read_to_string(&path) {
            print(&text);
        }
    }
}
