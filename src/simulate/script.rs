//! Visitor scripts for `vernissage simulate`: timed steps a simulated visitor performs
//! (plain data, RON, versioned; documented in docs/simulate.md).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::studio::candidate::Candidate;
use crate::studio::publish::{self, Publication};

/// The newest script format this build reads.
pub const SCRIPT_FORMAT: u32 = 4;

/// One visitor's plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    pub format: u32,
    /// A name for reports; defaults to the file name.
    #[serde(default)]
    pub name: Option<String>,
    pub steps: Vec<Step>,
}

/// One thing a visitor does. Steps run in order; only `Wait` takes time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Step {
    /// Press a key and keep it down (`"KeyW"`, `"W"`, `"ArrowLeft"`, `"ShiftLeft"`...).
    Hold(String),
    /// Let a held key go.
    Release(String),
    /// Move the mouse by (dx, dy) pixels, as a person would to look around.
    Look(f32, f32),
    /// Let this many seconds of simulated time pass.
    Wait(f32),
    /// Go straight to the viewing spot in front of the work with this id, facing it.
    Teleport(String),
    /// Open the work in focus (format 2), as pressing E does; refused when nothing is in focus.
    Inspect,
    /// Rate the inspected (or focused) work, 1 to 5 stars (format 2).
    Rate(i64),
    /// Like the inspected (or focused) work (format 2).
    Like,
    /// Take a like back (format 2).
    Unlike,
    /// Comment on the inspected (or focused) work (format 2).
    Comment(String),
    /// Buy the next edition of the inspected (or focused) work at its price (format 3).
    Buy,
    /// Offer this visitor's edition of the inspected (or focused) work for resale at this
    /// many tokens (format 3); the lowest-numbered edition it owns.
    List(u64),
    /// Buy the cheapest edition of the inspected (or focused) work another wallet listed
    /// (format 3).
    BuyListing,
    /// Publish a generative work made in the studio (format 4): registered in the ledger
    /// under the artist's key and hung in the studio room, as the studio panel does.
    Publish {
        title: String,
        artist: String,
        #[serde(default)]
        description: String,
        algorithm: String,
        seed: u64,
        /// Parameters by name; the others keep their defaults.
        #[serde(default)]
        params: BTreeMap<String, f64>,
        /// Price of one edition, whole tokens.
        price: i64,
        editions: i64,
        /// The artist's share of each primary sale, percent (default 90).
        #[serde(default = "default_artist_percent")]
        artist_percent: f64,
        /// Who receives the rest (default "Studio").
        #[serde(default = "default_gallery")]
        gallery: String,
        /// The artist's royalty on resales, percent (default 10).
        #[serde(default = "default_resale_percent")]
        resale_percent: f64,
        /// How much the run's random visitors like the work, 0 to 1 (default: 0.4, an
        /// ordinary work); simulation only.
        #[serde(default)]
        appeal: Option<f64>,
    },
}

fn default_artist_percent() -> f64 {
    Publication::default().artist_percent
}

fn default_gallery() -> String {
    Publication::default().gallery
}

fn default_resale_percent() -> f64 {
    Publication::default().resale_percent
}

/// How much random visitors like a published work when its step does not say.
pub const DEFAULT_APPEAL: f64 = 0.4;

/// What a `Publish` step publishes: the candidate, the terms, and the visitors' appeal.
pub fn publication(step: &Step) -> Option<Result<(Candidate, Publication, f64), String>> {
    let Step::Publish {
        title,
        artist,
        description,
        algorithm,
        seed,
        params,
        price,
        editions,
        artist_percent,
        gallery,
        resale_percent,
        appeal,
    } = step
    else {
        return None;
    };
    Some((|| {
        let candidate = Candidate::with_params(algorithm, *seed, params)?;
        let terms = Publication {
            title: title.clone(),
            artist: artist.clone(),
            description: description.clone(),
            price: *price,
            editions: *editions,
            artist_percent: *artist_percent,
            gallery: gallery.clone(),
            resale_percent: *resale_percent,
        };
        let problems = publish::problems(&terms);
        if !problems.is_empty() {
            return Err(problems.join("; "));
        }
        let appeal = appeal.unwrap_or(DEFAULT_APPEAL);
        if !(0.0..=1.0).contains(&appeal) {
            return Err(format!("appeal {appeal} must be 0 to 1"));
        }
        Ok((candidate, terms, appeal))
    })())
}

impl Step {
    /// How the step reads in reports and event lines.
    pub fn describe(&self) -> String {
        match self {
            Step::Hold(k) => format!("hold {k}"),
            Step::Release(k) => format!("release {k}"),
            Step::Look(dx, dy) => format!("look {dx} {dy}"),
            Step::Wait(s) => format!("wait {s}"),
            Step::Teleport(w) => format!("teleport {w}"),
            Step::Inspect => "inspect".into(),
            Step::Rate(n) => format!("rate {n}"),
            Step::Like => "like".into(),
            Step::Unlike => "unlike".into(),
            Step::Comment(text) => {
                let short: String = text.chars().take(40).collect();
                format!("comment \"{short}\"")
            }
            Step::Buy => "buy".into(),
            Step::List(price) => format!("list {price}"),
            Step::BuyListing => "buy-listing".into(),
            Step::Publish { title, .. } => {
                let short: String = title.chars().take(40).collect();
                format!("publish \"{short}\"")
            }
        }
    }
}

/// Reads a script; problems are `LINE:COLUMN: message` (or `steps[i]: message`).
pub fn parse(text: &str, key_known: impl Fn(&str) -> bool) -> Result<Script, String> {
    // The version first, so a newer script says so rather than failing on a new step.
    #[derive(Deserialize)]
    #[serde(rename = "Script")]
    struct Version {
        format: u32,
    }
    if let Ok(v) = crate::level::ron_options().from_str::<Version>(text)
        && (v.format == 0 || v.format > SCRIPT_FORMAT)
    {
        return Err(format!(
            "1:1: format {} is not a script format this build reads (1 to {SCRIPT_FORMAT})",
            v.format
        ));
    }
    let script: Script = crate::level::ron_options()
        .from_str(text)
        .map_err(|e| format!("{}:{}: {}", e.span.start.line, e.span.start.col, e.code))?;
    for (i, step) in script.steps.iter().enumerate() {
        match step {
            Step::Hold(k) | Step::Release(k) if !key_known(k) => {
                return Err(format!("steps[{i}]: unknown key \"{k}\""));
            }
            Step::Wait(s) if !(s.is_finite() && *s >= 0.0 && *s <= 86_400.0) => {
                return Err(format!("steps[{i}]: wait {s} must be 0 to 86400 seconds"));
            }
            Step::Look(dx, dy) if !(dx.is_finite() && dy.is_finite()) => {
                return Err(format!("steps[{i}]: look needs finite numbers"));
            }
            Step::Publish { .. } if script.format < 4 => {
                return Err(format!(
                    "steps[{i}]: publish needs script format 4 (this script says {})",
                    script.format
                ));
            }
            Step::Publish { .. } => {
                if let Some(Err(e)) = publication(step) {
                    return Err(format!("steps[{i}]: publish: {e}"));
                }
            }
            _ => {}
        }
    }
    Ok(script)
}

impl Script {
    /// Simulated seconds the script takes (the sum of its waits).
    pub fn duration(&self) -> f32 {
        self.steps
            .iter()
            .map(|s| if let Step::Wait(w) = s { *w } else { 0.0 })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any_key(k: &str) -> bool {
        k.starts_with("Key") || k.len() == 1
    }

    #[test]
    fn reads_a_script() {
        let text = r#"Script(format: 1, name: Some("walk"), steps: [
            Hold("W"), Wait(1.5), Release("W"), Look(120.0, -4.0), Teleport("dawn"),
        ])"#;
        let script = parse(text, any_key).unwrap();
        assert_eq!(script.steps.len(), 5);
        assert_eq!(script.steps[3], Step::Look(120.0, -4.0));
        assert_eq!(script.duration(), 1.5);
    }

    #[test]
    fn bad_scripts_say_where() {
        let err = parse("Script(format: 1, steps: [Hold(\"Hyper\")])", any_key).unwrap_err();
        assert_eq!(err, "steps[0]: unknown key \"Hyper\"");
        let err = parse("Script(format: 1, steps: [Wait(-1.0)])", any_key).unwrap_err();
        assert!(err.starts_with("steps[0]: wait -1"), "{err}");
        let err = parse("Script(format: 9, steps: [])", any_key).unwrap_err();
        assert!(err.starts_with("1:1: format 9"), "{err}");
        let err = parse("Script(format: 5, steps: [Dance])", any_key).unwrap_err();
        assert!(err.contains("format 5"), "{err}");
        let err = parse("Script(format: 1,\n steps: [Jump])", any_key).unwrap_err();
        assert!(err.starts_with("2:"), "{err}");
    }

    #[test]
    fn publish_steps_read_and_check() {
        let text = r#"Script(format: 4, steps: [
            Publish(title: "Tide", artist: "Ada Vale", algorithm: "flow-field", seed: 3,
                params: {"curl": 4.0}, price: 120, editions: 10, appeal: 0.9),
        ])"#;
        let script = parse(text, any_key).unwrap();
        let (candidate, terms, appeal) = publication(&script.steps[0]).unwrap().unwrap();
        assert_eq!(candidate.params["curl"], 4.0);
        assert_eq!(terms.artist_percent, 90.0);
        assert_eq!(appeal, 0.9);
        assert_eq!(script.steps[0].describe(), "publish \"Tide\"");
        let old = text.replace("format: 4", "format: 3");
        let err = parse(&old, any_key).unwrap_err();
        assert!(err.contains("format 4"), "{err}");
        let bad = text.replace("\"flow-field\"", "\"oil\"");
        let err = parse(&bad, any_key).unwrap_err();
        assert!(
            err.starts_with("steps[0]: publish: unknown algorithm"),
            "{err}"
        );
        let bad = text.replace("price: 120", "price: 0");
        assert!(parse(&bad, any_key).unwrap_err().contains("price"));
        let bad = text.replace("appeal: 0.9", "appeal: 3.0");
        assert!(parse(&bad, any_key).unwrap_err().contains("appeal"));
    }
}
