//! Feedback events: what visitors leave behind about works (plain data, versioned).

use serde::{Deserialize, Serialize};

/// Version of the event records this build writes (and the newest it reads).
pub const EVENT_SCHEMA: u32 = 1;

/// Longest comment kept, in characters (after trimming).
pub const MAX_COMMENT_CHARS: usize = 500;
/// Looks shorter than this are glances, not visits (seconds).
pub const MIN_DWELL: f64 = 1.5;
/// Longer dwell times are capped to this (someone left the game open in front of a work).
pub const MAX_DWELL: f64 = 600.0;

/// One thing one visitor did, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackEvent {
    /// Record schema version.
    pub v: u32,
    /// Unique id: `<visitor>-<sequence>`; merging data directories keeps one event per id.
    pub id: String,
    /// The visitor's stable anonymous id.
    pub visitor: String,
    /// Milliseconds since the Unix epoch (simulations use a seeded simulated clock).
    pub time_ms: u64,
    pub what: What,
}

/// The kinds of feedback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum What {
    /// A star rating, 1 to 5; a later rating by the same visitor replaces it.
    Rating { work: String, stars: u8 },
    /// Like (`true`) or take the like back (`false`).
    Like { work: String, liked: bool },
    /// A written comment (cleaned: trimmed, control characters removed, limited length).
    Comment { work: String, text: String },
    /// A visit: how long the work stayed in focus within reach, in seconds.
    Dwell { work: String, seconds: f64 },
    /// Where the visitor stood (plan x, z in metres), sampled every few seconds, for heat maps.
    Position { x: f32, z: f32 },
}

impl What {
    /// The work this event is about, if any.
    pub fn work(&self) -> Option<&str> {
        match self {
            What::Rating { work, .. }
            | What::Like { work, .. }
            | What::Comment { work, .. }
            | What::Dwell { work, .. } => Some(work),
            What::Position { .. } => None,
        }
    }
}

/// Why a piece of feedback was refused before it was stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    RatingOutOfRange(i64),
    EmptyComment,
    CommentTooLong(usize),
    UnknownWork(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::RatingOutOfRange(n) => write!(f, "a rating is 1 to 5 stars, not {n}"),
            Refusal::EmptyComment => write!(f, "the comment is empty"),
            Refusal::CommentTooLong(n) => write!(
                f,
                "the comment is {n} characters long; the limit is {MAX_COMMENT_CHARS}"
            ),
            Refusal::UnknownWork(id) => write!(f, "there is no work \"{id}\" in this exhibition"),
        }
    }
}

/// Cleans a comment as typed: control characters removed (line breaks become spaces), runs of
/// whitespace collapsed, trimmed; refused when empty or longer than [`MAX_COMMENT_CHARS`].
pub fn clean_comment(raw: &str) -> Result<String, Refusal> {
    let mut out = String::with_capacity(raw.len().min(4 * MAX_COMMENT_CHARS));
    let mut last_space = true;
    let mut count = 0usize;
    for c in raw.chars() {
        let c = if c == '\n' || c == '\t' || c == '\r' {
            ' '
        } else {
            c
        };
        if c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{FEFF}')
        {
            continue;
        }
        if c.is_whitespace() {
            if last_space {
                continue;
            }
            last_space = true;
            out.push(' ');
        } else {
            last_space = false;
            out.push(c);
        }
        count += 1;
        if count > MAX_COMMENT_CHARS + 1 {
            // Count the rest without keeping it: the length is all the refusal needs.
            let rest = raw.chars().count();
            return Err(Refusal::CommentTooLong(rest));
        }
    }
    let text = out.trim().to_string();
    let chars = text.chars().count();
    if chars == 0 {
        Err(Refusal::EmptyComment)
    } else if chars > MAX_COMMENT_CHARS {
        Err(Refusal::CommentTooLong(chars))
    } else {
        Ok(text)
    }
}

/// Checks a rating before it is stored.
pub fn check_rating(stars: i64) -> Result<u8, Refusal> {
    if (1..=5).contains(&stars) {
        Ok(stars as u8)
    } else {
        Err(Refusal::RatingOutOfRange(stars))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_cleaned_and_limited() {
        assert_eq!(
            clean_comment("  lovely\n\tlight \u{7} here  ").unwrap(),
            "lovely light here"
        );
        assert_eq!(clean_comment(" \n\t "), Err(Refusal::EmptyComment));
        let long = "x".repeat(1_000_000);
        assert_eq!(
            clean_comment(&long),
            Err(Refusal::CommentTooLong(1_000_000))
        );
        let exact = "é".repeat(MAX_COMMENT_CHARS);
        assert_eq!(clean_comment(&exact).unwrap(), exact);
        assert!(clean_comment("很好看，不过有点暗").is_ok());
    }

    #[test]
    fn ratings_are_one_to_five() {
        assert_eq!(check_rating(0), Err(Refusal::RatingOutOfRange(0)));
        assert_eq!(check_rating(6), Err(Refusal::RatingOutOfRange(6)));
        assert_eq!(check_rating(5), Ok(5));
    }

    #[test]
    fn events_serialise_with_a_kind_tag() {
        let e = FeedbackEvent {
            v: EVENT_SCHEMA,
            id: "v1-3".into(),
            visitor: "v1".into(),
            time_ms: 12,
            what: What::Rating {
                work: "dawn".into(),
                stars: 4,
            },
        };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(
            json,
            r#"{"v":1,"id":"v1-3","visitor":"v1","time_ms":12,"what":{"kind":"rating","work":"dawn","stars":4}}"#
        );
        assert_eq!(serde_json::from_str::<FeedbackEvent>(&json).unwrap(), e);
    }
}
