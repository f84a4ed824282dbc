//! Rendering diagnostics: for people as `error[E0001]: message` with a `file:line:col` excerpt,
//! and for editors and tools as one JSON object per diagnostic.

use crate::{Diagnostic, Label, Severity, SourceMap};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::term;

/// Renders diagnostics the way a person reads them, without colour.
pub fn render_human(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    let config = term::Config {
        display_style: term::DisplayStyle::Rich,
        chars: term::Chars::ascii(),
        ..term::Config::default()
    };
    let mut out = String::new();
    for d in diagnostics {
        let severity = match d.severity {
            Severity::Error => cs::Severity::Error,
            Severity::Warning => cs::Severity::Warning,
        };
        let mut labels = Vec::new();
        if let Some(primary) = &d.primary {
            labels.push(
                cs::Label::primary(primary.file, clamp(sources, primary))
                    .with_message(&primary.message),
            );
        }
        for label in &d.secondary {
            labels.push(
                cs::Label::secondary(label.file, clamp(sources, label))
                    .with_message(&label.message),
            );
        }
        let mut notes: Vec<String> = d.help.iter().map(|h| format!("help: {h}")).collect();
        notes.extend(d.notes.iter().map(|n| format!("note: {n}")));
        let diagnostic = cs::Diagnostic::new(severity)
            .with_code(d.code.as_str())
            .with_message(&d.message)
            .with_labels(labels)
            .with_notes(notes);
        if term::emit_to_string(&mut out, &config, sources, &diagnostic).is_err() {
            // A label that points outside its file: still say what went wrong.
            out.push_str(&format!(
                "{}[{}]: {}\n",
                severity_word(d.severity),
                d.code,
                d.message
            ));
        }
    }
    out
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// Keeps a label inside its file and on character boundaries, so rendering never fails.
fn clamp(sources: &SourceMap, label: &Label) -> std::ops::Range<usize> {
    let Some(file) = sources.get(label.file) else {
        return 0..0;
    };
    let text = &file.text;
    let fix = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = fix(label.span.start as usize);
    let end = fix(label.span.end as usize).max(start);
    start..end
}

/// The JSON form of one diagnostic (`--message-format json`).
#[derive(Debug, serde::Serialize)]
pub struct JsonDiagnostic {
    pub severity: Severity,
    pub code: String,
    pub message: String,
    /// The primary location, if the diagnostic has one.
    pub location: Option<JsonLocation>,
    pub secondary: Vec<JsonLocation>,
    pub help: Option<String>,
    pub notes: Vec<String>,
    /// The same diagnostic as `check` prints it for people.
    pub rendered: String,
}

/// A labelled span with 1-based lines and columns; `end_*` is exclusive.
#[derive(Debug, serde::Serialize)]
pub struct JsonLocation {
    pub file: String,
    pub byte_start: u32,
    pub byte_end: u32,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub label: String,
}

fn json_location(sources: &SourceMap, label: &Label) -> JsonLocation {
    let range = clamp(sources, label);
    let (name, start, end) = match sources.get(label.file) {
        Some(f) => (
            f.name.clone(),
            f.line_col(range.start as u32),
            f.line_col(range.end as u32),
        ),
        None => {
            let origin = crate::LineCol { line: 1, column: 1 };
            (String::new(), origin, origin)
        }
    };
    JsonLocation {
        file: name,
        byte_start: range.start as u32,
        byte_end: range.end as u32,
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        label: label.message.clone(),
    }
}

/// Renders each diagnostic as one line of JSON.
pub fn render_json(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let json = JsonDiagnostic {
            severity: d.severity,
            code: d.code.as_str().to_string(),
            message: d.message.clone(),
            location: d.primary.as_ref().map(|l| json_location(sources, l)),
            secondary: d
                .secondary
                .iter()
                .map(|l| json_location(sources, l))
                .collect(),
            help: d.help.clone(),
            notes: d.notes.clone(),
            rendered: render_human(sources, std::slice::from_ref(d)),
        };
        out.push_str(&serde_json::to_string(&json).expect("diagnostics serialize"));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Code, Span};

    fn sample() -> (SourceMap, Vec<Diagnostic>) {
        let mut sources = SourceMap::new();
        let file = sources.add("demo.star", "fn main() {\n    let x = ;\n}\n");
        let d = Diagnostic::new(Code::UNEXPECTED_TOKEN, "expected an expression, found `;`")
            .with_primary(file, Span::new(24, 25), "expected an expression here")
            .with_help("give the variable a value, such as `let x = 0;`");
        (sources, vec![d])
    }

    #[test]
    fn human_rendering_names_code_location_and_help() {
        let (sources, diags) = sample();
        let text = render_human(&sources, &diags);
        assert!(
            text.starts_with("error[E0001]: expected an expression, found `;`"),
            "{text}"
        );
        assert!(text.contains("demo.star:2:13"), "{text}");
        assert!(text.contains("let x = ;"), "{text}");
        assert!(text.contains("help: give the variable a value"), "{text}");
    }

    #[test]
    fn json_rendering_is_one_object_per_line() {
        let (sources, diags) = sample();
        let text = render_json(&sources, &diags);
        assert_eq!(text.lines().count(), 1);
        let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(v["code"], "E0001");
        assert_eq!(v["severity"], "error");
        assert_eq!(v["location"]["line"], 2);
        assert_eq!(v["location"]["column"], 13);
        assert_eq!(v["location"]["file"], "demo.star");
    }

    #[test]
    fn labels_outside_the_file_are_clamped_not_fatal() {
        let mut sources = SourceMap::new();
        let file = sources.add("é.star", "é");
        let d =
            Diagnostic::new(Code::UNEXPECTED_TOKEN, "m").with_primary(file, Span::new(1, 99), "x");
        let text = render_human(&sources, &[d]);
        assert!(text.contains("error[E0001]: m"), "{text}");
    }
}
