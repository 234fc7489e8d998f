//! The JSON report of a simulation run (plain data, versioned; see docs/simulate.md).

use std::collections::BTreeMap;

use serde::Serialize;

/// The newest report format this build writes.
pub const REPORT_FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub format: u32,
    /// The level as given on the command line.
    pub level: String,
    pub exhibition: String,
    /// Seed of the random visitors, if any.
    pub seed: Option<u64>,
    /// Fixed timestep, seconds.
    pub timestep: f64,
    /// Simulated seconds.
    pub duration: f64,
    pub visitors: Vec<VisitorReport>,
    /// Every work's learned score at the end of the run (from all feedback in the data
    /// directory), in level order; empty when scores were not asked for.
    pub scores: Vec<ReportedScore>,
    /// The market's ledger at the end (it may hold earlier runs' entries too).
    pub ledger: Option<LedgerReport>,
    /// Works the scripts published in the studio: each one's score over time and its sales.
    pub published: Vec<ReportedPublication>,
}

/// A work published by a script's `Publish` step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportedPublication {
    pub work: String,
    pub title: String,
    pub artist: String,
    /// The visitor whose script published it.
    pub by: String,
    /// Simulated seconds when it was registered.
    pub time: f64,
    /// SHA-256 of its content (hex) and its registration's ledger entry.
    pub content_hash: String,
    pub entry: u64,
    /// How much the random visitors were told to like it, 0 to 1.
    pub appeal: f64,
    /// Its learned score every [`SCORE_INTERVAL`] simulated seconds after publication, and
    /// at the end (only when the run computes scores).
    pub scores: Vec<ScorePoint>,
    /// Editions bought, in order.
    pub sales: Vec<Sale>,
}

/// Simulated seconds between two samples of a published work's score.
pub const SCORE_INTERVAL: f64 = 30.0;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScorePoint {
    pub time: f64,
    /// Predicted stars, 1 to 5.
    pub predicted: f64,
    pub ratings: usize,
    pub measured_mean: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sale {
    pub time: f64,
    pub edition: u32,
    pub buyer: String,
    pub price: u64,
    /// `buy` (a primary sale) or `buy-listing` (a resale).
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportedScore {
    pub work: String,
    /// Predicted stars, 1 to 5.
    pub predicted: f64,
    pub ratings: usize,
    pub measured_mean: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VisitorReport {
    pub name: String,
    /// `script` or `random`.
    pub kind: String,
    /// Where the visitor ended: plan position (x, z) in metres and compass heading in degrees.
    pub final_position: [f64; 2],
    pub final_heading: f64,
    /// Height of the feet above the ground floor (on a step or platform it is above 0).
    pub final_elevation: f64,
    pub final_room: Option<String>,
    /// (time, x, z) every 0.5 s of simulated time.
    pub path: Vec<[f64; 3]>,
    /// Seconds spent in each room.
    pub room_seconds: BTreeMap<String, f64>,
    /// Actions the game refused, with why.
    pub refused: Vec<Refusal>,
    /// When a script ran out of steps.
    pub finished_at: Option<f64>,
    /// Ratings, likes, comments and visits (dwell) the visitor left, as stored.
    pub feedback: Vec<ReportedFeedback>,
    /// The visitor's wallet (its anonymous id) and balance at the end, in tokens.
    pub wallet: Option<String>,
    pub balance: Option<u64>,
    /// Editions owned at the end, as `work#edition`.
    pub owned: Vec<String>,
    /// Market transactions this visitor committed during the run.
    pub transactions: Vec<ReportedTransaction>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportedTransaction {
    pub time: f64,
    /// `buy`, `list` or `buy-listing`.
    pub kind: String,
    pub work: String,
    pub edition: u32,
    /// Tokens paid (or asked, for a listing).
    pub price: u64,
    /// The ledger entry's index and hash (hex).
    pub index: u64,
    pub hash: String,
}

/// The ledger at the end of the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerReport {
    pub entries: u64,
    /// Hash of the last entry (hex): equal runs have equal heads.
    pub head: String,
    /// Every wallet's balance, artists' and visitors'.
    pub balances: BTreeMap<String, u64>,
    /// Why the market was closed, if it was.
    pub closed: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportedFeedback {
    pub time: f64,
    /// `rating`, `like`, `comment` or `dwell`.
    pub kind: String,
    pub work: String,
    /// Stars, `true`/`false`, the comment text, or seconds.
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Refusal {
    pub time: f64,
    pub action: String,
    pub reason: String,
}

/// Rounds to millimetres / milliseconds so reports read well (and stay identical run to run).
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Compass heading in degrees (0 = north, 90 = east) of a yaw about +Y.
pub fn heading_degrees(yaw: f32) -> f64 {
    let h = (-f64::from(yaw)).to_degrees().rem_euclid(360.0);
    // `+ 0.0` turns a negative zero into zero.
    round3(if h >= 359.9995 { 0.0 } else { h }) + 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_compass_degrees() {
        assert_eq!(heading_degrees(0.0), 0.0);
        assert_eq!(heading_degrees(-std::f32::consts::FRAC_PI_2), 90.0);
        assert_eq!(heading_degrees(std::f32::consts::FRAC_PI_2), 270.0);
    }
}
