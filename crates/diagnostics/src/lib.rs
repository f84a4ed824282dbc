//! Diagnostics shared by every stage of the Starstream toolchain: source spans, stable codes
//! with long explanations, and rendering for people (`file:line:col` plus an excerpt) and tools (JSON).

mod codes;
mod render;
mod source;
mod suggest;

pub use codes::{Code, CodeInfo};
pub use render::{render_human, render_json, JsonDiagnostic};
pub use source::{FileId, LineCol, SourceFile, SourceMap, Span};
pub use suggest::closest_name;

/// How bad a diagnostic is. Warnings become errors under `-D warnings`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// A span of one file with a short message saying what is there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(file: FileId, span: Span, message: impl Into<String>) -> Self {
        Label {
            file,
            span,
            message: message.into(),
        }
    }
}

/// One problem found in the user's program or invocation.
///
/// Every diagnostic has a stable code (see `starstream explain CODE`), a one-line message, and,
/// when the problem has a place in a source file, a labelled primary span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub primary: Option<Label>,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic whose severity is the code's default severity.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: code.info().severity,
            code,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    pub fn with_primary(mut self, file: FileId, span: Span, label: impl Into<String>) -> Self {
        self.primary = Some(Label::new(file, span, label));
        self
    }

    pub fn with_secondary(mut self, file: FileId, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push(Label::new(file, span, label));
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds the help `help(close)` when a candidate is close enough to `name` to be what was
    /// meant (see [`closest_name`]); leaves the diagnostic as it is otherwise.
    pub fn with_suggestion(
        self,
        name: &str,
        candidates: &[&str],
        help: impl FnOnce(&str) -> String,
    ) -> Self {
        match closest_name(name, candidates) {
            Some(close) => self.with_help(help(close)),
            None => self,
        }
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Turns every warning into an error (`-D warnings`).
pub fn deny_warnings(diagnostics: &mut [Diagnostic]) {
    for d in diagnostics {
        d.severity = Severity::Error;
    }
}
