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
    // Warnings.
    DANGLING_DOC_COMMENT = "W0001", Warning, "doc comment that documents nothing";
    UNUSED_HELPER_FILE = "W0100", Warning, "helper file that no contract imports";
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
