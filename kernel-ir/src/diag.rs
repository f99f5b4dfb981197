//! Diagnostics: one type for every compile error and warning, rendered like rustc.
//!
//! A diagnostic carries a severity, a primary span, a message, optional secondary labels and
//! help notes. [`Diagnostic::render`] prints it with the source line and a caret; the
//! `#[kernel]` macro turns an error into `compile_error!` at the token whose position matches
//! the span. Errors stop a compilation ([`CompileError`]); warnings do not, and a compiled
//! program lists them (`Program::warnings`).

use std::fmt;

/// A region of the kernel source: byte offsets plus the 1-based line and column (in characters)
/// of its start, which is what runtime errors report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub lo: u32,
    pub hi: u32,
    pub line: u32,
    pub col: u32,
}

impl Span {
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        if other.hi <= self.lo && other.lo < self.lo {
            return other.to(self);
        }
        Span {
            lo: self.lo.min(other.lo),
            hi: self.hi.max(other.hi),
            line: self.line,
            col: self.col,
        }
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// A secondary note attached to another place in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// Whether a diagnostic stops the compilation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Severity {
    /// The source is not a kernel: nothing runs.
    #[default]
    Error,
    /// The source compiles, but a part of it is almost certainly not what was meant.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One compile error or warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub span: Span,
    pub message: String,
    /// Text printed under the caret of the primary span (may be empty).
    pub label: String,
    pub labels: Vec<Label>,
    pub help: Vec<String>,
}

impl Diagnostic {
    /// An error.
    pub fn new(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            span,
            message: message.into(),
            label: String::new(),
            labels: Vec::new(),
            help: Vec::new(),
        }
    }

    /// A warning.
    pub fn warning(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::new(span, message)
        }
    }

    pub fn is_warning(&self) -> bool {
        self.severity == Severity::Warning
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help.push(help.into());
        self
    }

    /// Renders like rustc: `error: …` (or `warning: …`), ` --> line:col`, the source line, a
    /// caret line, `help:`.
    pub fn render(&self, source: &str) -> String {
        let mut out = format!("{}: {}\n", self.severity, self.message);
        let gutter = self
            .labels
            .iter()
            .map(|l| l.span.line)
            .chain([self.span.line])
            .max()
            .unwrap_or(1)
            .to_string()
            .len();
        let pad = " ".repeat(gutter);
        out.push_str(&format!("{pad}--> {}:{}\n", self.span.line, self.span.col));
        out.push_str(&format!("{pad} |\n"));
        // Snippets in source order, as rustc prints them: the primary with `^`, others `-`.
        let mut snippets = vec![(self.span, self.label.as_str(), '^')];
        snippets.extend(
            self.labels
                .iter()
                .map(|l| (l.span, l.message.as_str(), '-')),
        );
        snippets.sort_by_key(|(span, _, _)| span.lo);
        for (span, label, mark) in snippets {
            render_snippet(&mut out, source, span, label, gutter, mark);
        }
        out.push_str(&format!("{pad} |\n"));
        for help in &self.help {
            out.push_str(&format!("{pad} = help: {help}\n"));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} at {}", self.severity, self.message, self.span)
    }
}

fn render_snippet(
    out: &mut String,
    source: &str,
    span: Span,
    label: &str,
    gutter: usize,
    mark: char,
) {
    let Some(line_text) = source.lines().nth(span.line.saturating_sub(1) as usize) else {
        return;
    };
    let line_text = line_text.trim_end_matches('\r');
    let start_col = span.col.saturating_sub(1) as usize;
    // The caret covers the span's part on its first line, at least one character.
    let span_chars_on_line = source
        .get(span.lo as usize..(span.hi as usize).min(source.len()))
        .map(|s| s.lines().next().unwrap_or("").chars().count())
        .unwrap_or(1)
        .max(1);
    let available = line_text.chars().count().saturating_sub(start_col).max(1);
    let width = span_chars_on_line.min(available);
    let prefix: String = line_text
        .chars()
        .take(start_col)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    out.push_str(&format!("{:>gutter$} | {line_text}\n", span.line));
    let marks: String = std::iter::repeat_n(mark, width).collect();
    let label = if label.is_empty() {
        String::new()
    } else {
        format!(" {label}")
    };
    out.push_str(&format!(
        "{} | {prefix}{marks}{label}\n",
        " ".repeat(gutter)
    ));
}

/// All the diagnostics of one compilation, in source order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    pub diagnostics: Vec<Diagnostic>,
    /// The source the spans refer to, kept so the error renders on its own.
    pub source: std::sync::Arc<str>,
}

impl CompileError {
    pub fn new(source: std::sync::Arc<str>, mut diagnostics: Vec<Diagnostic>) -> CompileError {
        diagnostics.sort_by_key(|d| (d.span.lo, d.span.hi));
        diagnostics.dedup();
        CompileError {
            diagnostics,
            source,
        }
    }

    /// Every diagnostic rendered, separated by blank lines.
    pub fn render(&self) -> String {
        render_all(&self.diagnostics, &self.source)
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.render().trim_end())
    }
}

impl std::error::Error for CompileError {}

/// Diagnostics rendered one after the other, separated by blank lines (empty for none).
pub fn render_all(diagnostics: &[Diagnostic], source: &str) -> String {
    let parts: Vec<String> = diagnostics.iter().map(|d| d.render(source)).collect();
    parts.join("\n")
}
