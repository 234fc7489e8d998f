//! Visitor scripts for `vernissage simulate`: timed steps a simulated visitor performs
//! (plain data, RON, versioned; documented in docs/simulate.md).

use serde::{Deserialize, Serialize};

/// The newest script format this build reads.
pub const SCRIPT_FORMAT: u32 = 3;

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
        let err = parse("Script(format: 4, steps: [Dance])", any_key).unwrap_err();
        assert!(err.contains("format 4"), "{err}");
        let err = parse("Script(format: 1,\n steps: [Jump])", any_key).unwrap_err();
        assert!(err.starts_with("2:"), "{err}");
    }
}
