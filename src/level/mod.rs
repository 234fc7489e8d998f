//! Exhibition levels: the RON format, parsing, validation and located diagnostics (pure Rust).

pub mod assets;
pub mod check;
pub mod content;
pub mod generate;
pub mod geometry;
pub mod layout;
pub mod locate;
pub mod schema;

use std::fmt;

pub use check::{AssetBytes, Severity};
pub use schema::{FORMAT_VERSION, Level};

use locate::{Locator, Pos};

/// Level files larger than this are refused before parsing.
pub const MAX_LEVEL_BYTES: usize = 4 * 1024 * 1024;

/// A located problem in a level file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub line: usize,
    pub column: usize,
    /// Field path of the offending value, e.g. `works[3].placement.wall`; empty for syntax errors.
    pub path: String,
    pub message: String,
}

impl Diagnostic {
    /// `FILE:LINE:COLUMN: [warning: ]path: message`, the format of `vernissage validate`.
    pub fn render(&self, file: &str) -> String {
        format!("{file}:{self}")
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.line, self.column)?;
        if self.severity == Severity::Warning {
            write!(f, "warning: ")?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        write!(f, "{}", self.message)
    }
}

/// The outcome of reading a level: the level if it parsed, and everything wrong with it.
#[derive(Debug, Clone)]
pub struct Report {
    pub level: Option<Level>,
    pub diagnostics: Vec<Diagnostic>,
    /// SHA-256 of each readable work's source (see [`content`]), by work id.
    pub content_hashes: std::collections::BTreeMap<String, [u8; 32]>,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The level, only if it has no errors.
    pub fn valid_level(&self) -> Option<&Level> {
        if self.has_errors() {
            None
        } else {
            self.level.as_ref()
        }
    }

    fn fail(line: usize, column: usize, message: String) -> Box<Report> {
        Box::new(Report {
            level: None,
            content_hashes: Default::default(),
            diagnostics: vec![Diagnostic {
                severity: Severity::Error,
                line,
                column,
                path: String::new(),
                message,
            }],
        })
    }
}

/// RON options every level is read with: optional values may be written without `Some(...)`.
pub fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// Step one: bytes to a [`Level`], or the syntax error at its position. Never panics.
pub fn parse(bytes: &[u8]) -> Result<Level, Box<Report>> {
    if bytes.len() > MAX_LEVEL_BYTES {
        return Err(Report::fail(
            1,
            1,
            format!(
                "the level file is {} bytes; the limit is {MAX_LEVEL_BYTES} bytes (4 MiB)",
                bytes.len()
            ),
        ));
    }
    let text = match std::str::from_utf8(bytes) {
        // Some editors start UTF-8 files with a byte-order mark; it is not part of the level.
        Ok(text) => text.strip_prefix('\u{feff}').unwrap_or(text),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            // Safe: everything before valid_up_to is valid UTF-8.
            let prefix = std::str::from_utf8(good).unwrap_or_default();
            let line = prefix.matches('\n').count() + 1;
            let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let bad = bytes.get(e.valid_up_to()).copied().unwrap_or(0);
            return Err(Report::fail(
                line,
                column,
                format!("the file is not valid UTF-8 text (byte 0x{bad:02X})"),
            ));
        }
    };
    // The version first, so a level from a newer build says so rather than failing on the
    // first field this build does not know.
    #[derive(serde::Deserialize)]
    #[serde(rename = "Level")]
    struct VersionProbe {
        format: u32,
    }
    if let Ok(probe) = ron_options().from_str::<VersionProbe>(text)
        && probe.format > FORMAT_VERSION
    {
        let pos = Locator::new(text).find("format");
        return Err(Box::new(Report {
            level: None,
            content_hashes: Default::default(),
            diagnostics: vec![Diagnostic {
                severity: Severity::Error,
                line: pos.line,
                column: pos.column,
                path: "format".into(),
                message: format!(
                    "format {} is newer than this build of Vernissage reads ({FORMAT_VERSION}); update the game",
                    probe.format
                ),
            }],
        }));
    }
    let level: Level = match ron_options().from_str(text) {
        Ok(level) => level,
        Err(e) => {
            let (line, column) = next_token(text, e.span.start.line, e.span.start.col);
            return Err(Report::fail(line, column, e.code.to_string()));
        }
    };
    if level.format > FORMAT_VERSION || level.format == 0 {
        let pos = Locator::new(text).find("format");
        let message = if level.format == 0 {
            "format 0 does not exist; the first level format is 1".to_string()
        } else {
            format!(
                "format {} is newer than this build of Vernissage reads ({FORMAT_VERSION}); update the game",
                level.format
            )
        };
        return Err(Box::new(Report {
            level: None,
            content_hashes: Default::default(),
            diagnostics: vec![Diagnostic {
                severity: Severity::Error,
                line: pos.line,
                column: pos.column,
                path: "format".into(),
                message,
            }],
        }));
    }
    Ok(level)
}

/// The parser reports some errors at the whitespace before the offending value; move such a
/// position forward over whitespace and comments to the value itself.
fn next_token(text: &str, line: usize, column: usize) -> (usize, usize) {
    let (line, column) = (line.max(1), column.max(1));
    let Some(line_text) = text.split('\n').nth(line - 1) else {
        return (line, column);
    };
    // Byte offset of (line, column) in `text`.
    let line_start: usize = text.split('\n').take(line - 1).map(|l| l.len() + 1).sum();
    let col_offset = line_text
        .char_indices()
        .nth(column - 1)
        .map_or(line_text.len(), |(i, _)| i);
    let rest = &text[line_start + col_offset..];
    let mut skipped = 0;
    let bytes = rest.as_bytes();
    loop {
        let tail = &rest[skipped..];
        if let Some(c) = tail.chars().next()
            && c.is_whitespace()
        {
            skipped += c.len_utf8();
        } else if tail.starts_with("//") {
            skipped += tail.find('\n').unwrap_or(tail.len());
        } else {
            break;
        }
        if skipped >= bytes.len() {
            // Only whitespace up to the end: keep the parser's position.
            return (line, column);
        }
    }
    let before = &text[..line_start + col_offset + skipped];
    let new_line = before.matches('\n').count() + 1;
    let new_column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (new_line, new_column)
}

/// Step two: the layout step ([`layout::fill`] places the works the level leaves to it), then
/// the semantic checks, located in `bytes` (the text the level was parsed from). The report's
/// level has every placement filled in.
pub fn check(mut level: Level, bytes: &[u8], assets: &AssetBytes) -> Report {
    let text = std::str::from_utf8(bytes).unwrap_or_default();
    let locator = Locator::new(text);
    let unplaced = layout::fill(&mut level);
    let mut diagnostics: Vec<Diagnostic> = unplaced
        .into_iter()
        .chain(check::check(&level, assets))
        .map(|finding| {
            let Pos { line, column } = locator.find(&finding.path);
            Diagnostic {
                severity: finding.severity,
                line,
                column,
                path: finding.path,
                message: finding.message,
            }
        })
        .collect();
    diagnostics.sort_by_key(|d| (d.line, d.column, d.severity));
    Report {
        content_hashes: content::content_hashes(&level, assets),
        level: Some(level),
        diagnostics,
    }
}

/// Parses and checks in one go, with `read` supplying the bytes of each referenced asset.
pub fn read_level(bytes: &[u8], read: impl FnMut(&str) -> Result<Vec<u8>, String>) -> Report {
    read_level_and_assets(bytes, read).0
}

/// [`read_level`], also handing back the asset bytes it read (for checks that need them again,
/// such as a studio overlay merged into the level).
pub fn read_level_and_assets(
    bytes: &[u8],
    mut read: impl FnMut(&str) -> Result<Vec<u8>, String>,
) -> (Report, AssetBytes) {
    match parse(bytes) {
        Err(report) => (*report, AssetBytes::new()),
        Ok(level) => {
            let mut assets = AssetBytes::new();
            let allowed = &level.exhibition.allowed_origins;
            for (path, _) in check::referenced_assets(&level) {
                if assets::check_asset_reference(&path, allowed).is_ok()
                    && !assets.contains_key(&path)
                {
                    let bytes = read(&path);
                    assets.insert(path, bytes);
                }
            }
            (check(level, bytes, &assets), assets)
        }
    }
}

/// Serialises a level back to RON, as a curator would write it (fields left at their default
/// are left out).
pub fn to_ron(level: &Level) -> Result<String, ron::Error> {
    let config = ron::ser::PrettyConfig::new()
        .struct_names(true)
        .extensions(ron::extensions::Extensions::IMPLICIT_SOME);
    ron::ser::to_string_pretty(level, config)
}

/// Like [`to_ron`], but every room, light and work on one line without spaces: large levels
/// (thousands of works) stay under [`MAX_LEVEL_BYTES`].
pub fn to_ron_compact(level: &Level) -> Result<String, ron::Error> {
    let config = ron::ser::PrettyConfig::new()
        .struct_names(false)
        .depth_limit(2)
        .indentor("")
        .separator("")
        .extensions(ron::extensions::Extensions::IMPLICIT_SOME);
    ron::ser::to_string_pretty(level, config)
}

/// The exhibition root of a level path: the folder above `levels/` (for `…/levels/show.ron`
/// it is `…/`); otherwise the folder holding the file.
pub fn exhibition_root(level_path: &str) -> (String, String) {
    let normalized = level_path.replace('\\', "/");
    let (dir, file) = match normalized.rsplit_once('/') {
        Some((dir, file)) => (dir.to_string(), file.to_string()),
        None => (String::new(), normalized.clone()),
    };
    if dir == "levels" {
        return (".".into(), format!("levels/{file}"));
    }
    if let Some(root) = dir.strip_suffix("/levels") {
        let root = if root.is_empty() {
            "/".to_string()
        } else {
            root.to_string()
        };
        return (root, format!("levels/{file}"));
    }
    if dir.is_empty() {
        let root = if normalized.starts_with('/') {
            "/"
        } else {
            "."
        };
        (root.into(), file)
    } else {
        (dir, file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exhibition_root_is_above_levels() {
        assert_eq!(
            exhibition_root("levels/default.ron"),
            (".".into(), "levels/default.ron".into())
        );
        assert_eq!(
            exhibition_root("/srv/show/levels/a.ron"),
            ("/srv/show".into(), "levels/a.ron".into())
        );
        assert_eq!(
            exhibition_root("/tmp/x/a.ron"),
            ("/tmp/x".into(), "a.ron".into())
        );
        assert_eq!(exhibition_root("a.ron"), (".".into(), "a.ron".into()));
        assert_eq!(exhibition_root("/a.ron"), ("/".into(), "a.ron".into()));
    }

    #[test]
    fn utf8_errors_are_located() {
        let report = parse(b"Level(\n  format: 1,\n  x: \"ab\xFF\"").unwrap_err();
        let d = &report.diagnostics[0];
        assert_eq!((d.line, d.column), (3, 9));
        assert!(d.message.contains("0xFF"), "{}", d.message);
    }

    #[test]
    fn a_newer_format_is_named_before_unknown_fields() {
        let text = "Level(\n    format: 3,\n    hologram: true,\n)";
        let report = parse(text.as_bytes()).unwrap_err();
        let d = &report.diagnostics[0];
        assert_eq!((d.line, d.column), (2, 13));
        assert!(d.message.contains("format 3 is newer"), "{}", d.message);
    }

    #[test]
    fn type_errors_point_at_the_value_not_the_space_before_it() {
        let text = "Level(\n    format:\n        \"one\",\n)";
        let d = &parse(text.as_bytes()).unwrap_err().diagnostics[0];
        assert_eq!((d.line, d.column), (3, 9), "{}", d.message);
    }

    #[test]
    fn a_byte_order_mark_is_ignored() {
        let text = std::fs::read("levels/small.ron").unwrap();
        let mut with_bom = "\u{feff}".as_bytes().to_vec();
        with_bom.extend_from_slice(&text);
        assert!(parse(&with_bom).is_ok());
    }

    #[test]
    fn typos_inside_variants_are_errors() {
        let text = std::fs::read_to_string("levels/small.ron").unwrap();
        let broken = text.replacen("offset:", "ofset:", 1);
        let report = parse(broken.as_bytes()).unwrap_err();
        assert!(
            report.diagnostics[0].message.contains("ofset"),
            "{:?}",
            report.diagnostics
        );
    }

    #[test]
    fn oversized_files_are_refused_before_parsing() {
        let big = vec![b' '; MAX_LEVEL_BYTES + 1];
        let report = parse(&big).unwrap_err();
        assert!(report.diagnostics[0].message.contains("limit"));
    }
}
