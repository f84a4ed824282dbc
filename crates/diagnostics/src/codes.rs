//! The registry of diagnostic codes. Codes are stable: once published, a code keeps its meaning.
//! Each has a long explanation with an example in `explain/CODE.md`, shown by `starstream explain`.

use crate::Severity;
use std::fmt;

/// A stable diagnostic code such as `E0001`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Code(&'static str);

/// What the registry knows about a code.
#[derive(Clone, Copy, Debug)]
pub struct CodeInfo {
    pub code: Code,
    pub severity: Severity,
    /// The short title, as a noun phrase.
    pub title: &'static str,
    /// The long explanation in Markdown, with an example.
    pub explanation: &'static str,
}

macro_rules! codes {
    ($( $name:ident = $code:literal, $severity:ident, $title:literal; )*) => {
        impl Code {
            $( pub const $name: Code = Code($code); )*
        }

        /// Every code, in code order.
        pub const ALL: &[CodeInfo] = &[
            $( CodeInfo {
                code: Code::$name,
                severity: Severity::$severity,
                title: $title,
                explanation: include_str!(concat!("../explain/", $code, ".md")),
            }, )*
        ];
    };
}

codes! {
    // Syntax: the lexer and the parser.
    UNEXPECTED_TOKEN = "E0001", Error, "unexpected token";
    UNTERMINATED_COMMENT = "E0002", Error, "unterminated block comment";
    UNTERMINATED_STRING = "E0003", Error, "unterminated string literal";
    UNKNOWN_CHARACTER = "E0004", Error, "character that is not part of the language";
    MALFORMED_INTEGER = "E0005", Error, "malformed integer literal";
    INTEGER_TOO_LARGE = "E0006", Error, "integer literal larger than any integer type";
    UNKNOWN_ESCAPE = "E0007", Error, "unknown escape sequence in a string";
    NESTING_TOO_DEEP = "E0008", Error, "nesting deeper than the compiler's limit";
    RESERVED_WORD = "E0009", Error, "reserved word used as a name";
    NOT_UTF8 = "E0010", Error, "source file that is not UTF-8 text";
    FILE_TOO_LARGE = "E0011", Error, "source file larger than the compiler's limit";
    ONE_ELEMENT_TUPLE = "E0012", Error, "tuple with fewer than two elements";
    INVALID_ASSIGNMENT = "E0013", Error, "assignment to something that is not a variable";
    EMPTY_FILE = "E0014", Error, "source file that defines nothing";
    MISPLACED_MODIFIER = "E0015", Error, "modifier that is not allowed here";
    UNCLOSED_DELIMITER = "E0016", Error, "unclosed delimiter";
    // Modules: files on disk and the import graph.
    PATH_NOT_FOUND = "E0100", Error, "path that does not exist";
    NO_SOURCE_FILES = "E0101", Error, "directory without `.star` files";
    UNREADABLE_FILE = "E0102", Error, "file that cannot be read";
    IMPORT_NOT_FOUND = "E0103", Error, "import of a file that does not exist";
    IMPORT_CYCLE = "E0104", Error, "import cycle";
    CROSS_CONTRACT_IMPORT = "E0105", Error, "import of another contract";
    BAD_IMPORT_PATH = "E0106", Error, "import path that is not a relative `.star` path";
    MISPLACED_CONTRACT = "E0107", Error, "misplaced or repeated `contract;`";
    IMPORTED_NAME_MISSING = "E0108", Error, "imported name that the file does not define";
    UNKNOWN_IMPORT_SOURCE = "E0109", Error, "import from an unknown package";
    // Names: resolution across the workspace.
    UNKNOWN_NAME = "E0200", Error, "name that is not defined";
    UNKNOWN_TYPE = "E0201", Error, "type that is not defined";
    DUPLICATE_DEFINITION = "E0202", Error, "name defined twice";
    UNKNOWN_FIELD = "E0203", Error, "field that the type does not have";
    UNKNOWN_VARIANT = "E0204", Error, "variant that the enum does not have";
    MISSING_FIELD = "E0205", Error, "struct literal or pattern without a required field";
    NOT_CALLABLE = "E0206", Error, "call of something that is not a function";
    UNKNOWN_METHOD = "E0207", Error, "method that the value does not have";
    UNKNOWN_STD_ITEM = "E0208", Error, "name that the standard library does not provide";
    IMMUTABLE_ASSIGNMENT = "E0209", Error, "assignment to a variable declared without `mut`";
    WRONG_ARGUMENT_COUNT = "E0210", Error, "call with the wrong number of arguments";
    WRONG_TYPE_ARGUMENTS = "E0211", Error, "type with the wrong number of type arguments";
    NOT_AN_ABI = "E0212", Error, "name used as an ABI that is not one";
    // Types.
    TYPE_MISMATCH = "E0300", Error, "type mismatch";
    LITERAL_OUT_OF_RANGE = "E0301", Error, "integer literal out of its type's range";
    CONSTANT_OVERFLOW = "E0302", Error, "constant arithmetic that overflows or divides by zero";
    BAD_OPERAND = "E0303", Error, "operator applied to a type it does not support";
    CANNOT_INFER = "E0304", Error, "type that cannot be inferred";
    NON_EXHAUSTIVE_MATCH = "E0305", Error, "`match` that does not cover every value";
    BAD_NARROWING = "E0306", Error, "`is` applied to something that is not a UTXO handle";
    RECURSIVE_TYPE = "E0307", Error, "type that contains itself";
    // Privacy.
    PRIVATE_TO_PUBLIC = "E0400", Error, "private value flowing into a public place";
    PUBLIC_WRITE_UNDER_PRIVATE_CONDITION = "E0401", Error, "public effect under a private condition";
    PRIVATE_EVENT_ARGUMENT = "E0402", Error, "private value emitted in an event";
    PRIVATE_ACROSS_YIELD = "E0403", Error, "private local saved in a UTXO's frame at `yield`";
    // Linear resources.
    USE_AFTER_CONSUME = "E0500", Error, "linear value used after it was consumed";
    LINEAR_DROPPED = "E0501", Error, "linear value that is never consumed";
    LINEAR_MAYBE_CONSUMED = "E0502", Error, "linear value consumed on some paths only";
    LINEAR_IN_LOOP = "E0503", Error, "linear value consumed inside a loop";
    LINEAR_NOT_ALLOWED = "E0504", Error, "linear type where only plain data is allowed";
    // Effects.
    NOT_AN_EFFECT = "E0600", Error, "`raise` or handler of something that is not an effect";
    WRONG_CALL_KEYWORD = "E0601", Error, "call without its required keyword, or with the wrong one";
    UNHANDLED_EFFECT = "E0602", Error, "coordination script that leaks an unhandled effect";
    UNDECLARED_EFFECT = "E0603", Error, "effect missing from the function's declared effect row";
    CONTROL_LEAVES_HANDLER = "E0604", Error, "`return`, `resume;` or `yield` that would leave a handler or a `try` body";
    // Structure: who may do what.
    UTXO_CALLS_UTXO = "E0700", Error, "UTXO that creates or calls a UTXO";
    NOT_IN_SCRIPT = "E0701", Error, "UTXO operation outside a coordination script";
    YIELD_OUTSIDE_MAIN = "E0702", Error, "`yield` outside a UTXO's `main fn`";
    RESUME_OUTSIDE_METHOD = "E0703", Error, "`resume;` outside a UTXO method";
    TOKEN_POLICY_RULE = "E0704", Error, "token policy that breaks the `mint`/`burn` rules";
    ABI_CONFORMANCE = "E0705", Error, "`impl` block that does not match its ABI";
    UTXO_WITHOUT_MAIN = "E0706", Error, "`utxo` without exactly one `main fn`";
    BAD_SPECIAL_FN = "E0707", Error, "`main fn` or `test fn` with a signature it cannot have";
    // Code generation.
    NOT_YET_COMPILED = "E0800", Error, "construct the compiler cannot translate to WebAssembly yet";
    // Warnings.
    DANGLING_DOC_COMMENT = "W0001", Warning, "doc comment that documents nothing";
    UNUSED_HELPER_FILE = "W0100", Warning, "helper file that no contract imports";
    UNREACHABLE_ARM = "W0300", Warning, "`match` arm that can never be reached";
    REDUNDANT_DISCLOSE = "W0400", Warning, "`disclose` of a value that is already public";
}

impl Code {
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// Looks a code up by its text, ignoring ASCII case (`e0001` finds `E0001`).
    pub fn parse(text: &str) -> Option<Code> {
        ALL.iter()
            .map(|info| info.code)
            .find(|c| c.0.eq_ignore_ascii_case(text.trim()))
    }

    pub fn info(self) -> &'static CodeInfo {
        ALL.iter()
            .find(|info| info.code == self)
            .expect("every Code constant is in ALL")
    }

    pub fn all() -> &'static [CodeInfo] {
        ALL
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_sorted_and_well_formed() {
        for pair in ALL.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} before {}",
                pair[0].code,
                pair[1].code
            );
        }
        for info in ALL {
            let s = info.code.as_str();
            let letter = if info.severity == Severity::Error {
                'E'
            } else {
                'W'
            };
            assert!(s.starts_with(letter) && s.len() == 5, "{s}");
            assert!(s[1..].bytes().all(|b| b.is_ascii_digit()), "{s}");
        }
    }

    #[test]
    fn every_explanation_has_a_heading_and_an_example() {
        for info in ALL {
            let text = info.explanation;
            assert!(
                text.starts_with(&format!("# {}: ", info.code)),
                "{}: explanation must start with `# {}: title`",
                info.code,
                info.code
            );
            assert!(
                text.contains("```star"),
                "{}: explanation needs a ```star example",
                info.code
            );
        }
    }

    #[test]
    fn parse_finds_codes_case_insensitively() {
        assert_eq!(Code::parse("e0001"), Some(Code::UNEXPECTED_TOKEN));
        assert_eq!(Code::parse("E9999"), None);
        assert_eq!(Code::parse(""), None);
    }
}
