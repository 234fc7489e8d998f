//! The cleaning stage, first step of the scoring pipeline: drops events that must not count.
//!
//! [`clean`] is deterministic and runs these steps in this order; each step sees only what the
//! earlier ones kept, and every dropped event is counted under exactly one reason:
//!
//! 1. `"newer schema"`: `v` is newer than [`EVENT_SCHEMA`].
//! 2. `"duplicate id"`: an event with the same `id` came earlier; the first one is kept.
//! 3. `"unknown work"`: the event is about a work the exhibition does not have.
//! 4. `"invalid rating"`: stars outside 1 to 5.
//! 5. `"invalid comment"`: [`clean_comment`] refuses the text or would change it (stored
//!    comments must already be clean).
//! 6. `"invalid position"`: a non-finite coordinate.
//! 7. `"glance"`: dwell time not finite or shorter than [`MIN_DWELL`].
//! 8. `"dwell cap"`: dwell time longer than [`MAX_DWELL`] (a game left open; absurd, dropped).
//! 9. `"dwell outlier"`: for a work with at least [`OUTLIER_MIN_SAMPLES`] remaining dwell
//!    events, a dwell time above `Q3 + 3·IQR` of that work's dwell times (see [`quartiles`]).
//! 10. `"superseded rating"`: a visitor's rating of a work when the same visitor rated the same
//!     work later; only the last one counts.
//! 11. `"superseded like"`: likes and unlikes likewise; only the visitor's last like state per
//!     work is kept.
//!
//! "Later" means a larger `time_ms`; at equal times, a larger sequence number (the digits after
//! the last `-` of the id, compared as numbers of any length; an id without one comes first);
//! at equal sequence numbers, later in the input. Kept events keep their input order.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};

use super::event::{EVENT_SCHEMA, FeedbackEvent, MAX_DWELL, MIN_DWELL, What, clean_comment};

/// Every reason an event is dropped, in pipeline order.
pub const REASONS: [&str; 11] = [
    "newer schema",
    "duplicate id",
    "unknown work",
    "invalid rating",
    "invalid comment",
    "invalid position",
    "glance",
    "dwell cap",
    "dwell outlier",
    "superseded rating",
    "superseded like",
];

/// Outlier detection needs at least this many dwell events of one work.
pub const OUTLIER_MIN_SAMPLES: usize = 8;
/// Dwell times above `Q3 + OUTLIER_IQR_FACTOR · (Q3 − Q1)` are outliers.
pub const OUTLIER_IQR_FACTOR: f64 = 3.0;

/// The outcome of [`clean`].
#[derive(Debug, Clone, PartialEq)]
pub struct Cleaned {
    /// How many events went in.
    pub input: usize,
    /// The events that count, in input order.
    pub kept: Vec<FeedbackEvent>,
    /// How many were dropped, by reason (one of [`REASONS`]); reasons with none are absent.
    pub dropped: BTreeMap<&'static str, usize>,
}

impl Cleaned {
    /// One line for logs and reports, e.g. `kept 41 of 50 events; dropped: 3 duplicate id,
    /// 2 superseded rating, 1 glance`: the largest counts first, ties in pipeline order.
    pub fn summary(&self) -> String {
        let mut parts: Vec<(usize, usize, &str)> = self
            .dropped
            .iter()
            .filter(|&(_, &count)| count > 0)
            .map(|(&reason, &count)| {
                let rank = REASONS
                    .iter()
                    .position(|&r| r == reason)
                    .unwrap_or(REASONS.len());
                (count, rank, reason)
            })
            .collect();
        parts.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let head = format!("kept {} of {} events", self.kept.len(), self.input);
        if parts.is_empty() {
            return format!("{head}; nothing dropped");
        }
        let list: Vec<String> = parts
            .iter()
            .map(|(count, _, reason)| format!("{count} {reason}"))
            .collect();
        format!("{head}; dropped: {}", list.join(", "))
    }

    /// Total number of dropped events.
    pub fn dropped_total(&self) -> usize {
        self.dropped.values().sum()
    }
}

/// Cleans `events`; `known_work` says whether the exhibition has a work with that id.
pub fn clean(events: &[FeedbackEvent], known_work: impl Fn(&str) -> bool) -> Cleaned {
    let mut dropped: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut tally = |reason: &'static str, n: usize| {
        if n > 0 {
            *dropped.entry(reason).or_insert(0) += n;
        }
    };

    // Steps 1 to 8: each event on its own, in input order. Indices into `events` survive.
    let mut seen: HashSet<&str> = HashSet::new();
    let mut alive: Vec<usize> = Vec::with_capacity(events.len());
    for (index, event) in events.iter().enumerate() {
        match single_event_problem(event, &mut seen, &known_work) {
            Some(reason) => tally(reason, 1),
            None => alive.push(index),
        }
    }

    // Step 9: dwell outliers, per work.
    let mut dwell_by_work: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for &i in &alive {
        if let What::Dwell { work, seconds } = &events[i].what {
            dwell_by_work.entry(work).or_default().push(*seconds);
        }
    }
    let fences: HashMap<&str, f64> = dwell_by_work
        .into_iter()
        .filter(|(_, times)| times.len() >= OUTLIER_MIN_SAMPLES)
        .filter_map(|(work, times)| {
            let (q1, _, q3) = quartiles(&times)?;
            Some((work, q3 + OUTLIER_IQR_FACTOR * (q3 - q1)))
        })
        .collect();
    let before = alive.len();
    alive.retain(|&i| match &events[i].what {
        What::Dwell { work, seconds } => fences
            .get(work.as_str())
            .is_none_or(|&fence| *seconds <= fence),
        _ => true,
    });
    tally("dwell outlier", before - alive.len());

    // Steps 10 and 11: only the last rating and the last like state per visitor and work.
    let before = alive.len();
    drop_superseded(events, &mut alive, |w| matches!(w, What::Rating { .. }));
    tally("superseded rating", before - alive.len());
    let before = alive.len();
    drop_superseded(events, &mut alive, |w| matches!(w, What::Like { .. }));
    tally("superseded like", before - alive.len());

    Cleaned {
        input: events.len(),
        kept: alive.into_iter().map(|i| events[i].clone()).collect(),
        dropped,
    }
}

/// Drops from `alive` every event of one kind that a later event of that kind by the same
/// visitor about the same work supersedes.
fn drop_superseded(
    events: &[FeedbackEvent],
    alive: &mut Vec<usize>,
    is_kind: impl Fn(&What) -> bool,
) {
    fn key(event: &FeedbackEvent) -> (&str, &str) {
        (
            event.visitor.as_str(),
            event.what.work().unwrap_or_default(),
        )
    }
    let mut last: HashMap<(&str, &str), usize> = HashMap::new();
    for &i in alive.iter() {
        let event = &events[i];
        if !is_kind(&event.what) {
            continue;
        }
        last.entry(key(event))
            .and_modify(|best| {
                if compare_order(&events[*best], *best, event, i) == Ordering::Less {
                    *best = i;
                }
            })
            .or_insert(i);
    }
    alive.retain(|&i| {
        let event = &events[i];
        !is_kind(&event.what) || last.get(&key(event)) == Some(&i)
    });
}

/// Steps 1 to 8 for one event: the reason to drop it, if any. Registers its id when it gets
/// past the duplicate check.
fn single_event_problem<'a>(
    event: &'a FeedbackEvent,
    seen: &mut HashSet<&'a str>,
    known_work: &impl Fn(&str) -> bool,
) -> Option<&'static str> {
    if event.v > EVENT_SCHEMA {
        return Some("newer schema");
    }
    if !seen.insert(event.id.as_str()) {
        return Some("duplicate id");
    }
    if let Some(work) = event.what.work()
        && !known_work(work)
    {
        return Some("unknown work");
    }
    match &event.what {
        What::Rating { stars, .. } if !(1..=5).contains(stars) => Some("invalid rating"),
        What::Comment { text, .. } if clean_comment(text).as_deref() != Ok(text.as_str()) => {
            Some("invalid comment")
        }
        What::Position { x, z } if !x.is_finite() || !z.is_finite() => Some("invalid position"),
        What::Dwell { seconds, .. } if !seconds.is_finite() || *seconds < MIN_DWELL => {
            Some("glance")
        }
        What::Dwell { seconds, .. } if *seconds > MAX_DWELL => Some("dwell cap"),
        _ => None,
    }
}

/// The digits after the last `-` of an id, without leading zeros (`"0"` for all zeros), or
/// `None` when the id has no `-` or the part after it is not all ASCII digits.
pub fn sequence_number(id: &str) -> Option<&str> {
    let (_, digits) = id.rsplit_once('-')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let trimmed = digits.trim_start_matches('0');
    Some(if trimmed.is_empty() { "0" } else { trimmed })
}

/// Orders two sequence numbers from [`sequence_number`] numerically (no length limit).
fn compare_sequence(a: Option<&str>, b: Option<&str>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        (a, b) => a.is_some().cmp(&b.is_some()),
    }
}

/// Which of two events came first: by `time_ms`, then sequence number, then input position.
pub fn compare_order(
    a: &FeedbackEvent,
    a_index: usize,
    b: &FeedbackEvent,
    b_index: usize,
) -> Ordering {
    a.time_ms
        .cmp(&b.time_ms)
        .then_with(|| compare_sequence(sequence_number(&a.id), sequence_number(&b.id)))
        .then(a_index.cmp(&b_index))
}

/// Quartiles `(Q1, median, Q3)` of finite samples, or `None` for none.
///
/// Method: linear interpolation between order statistics (Hyndman and Fan type 7, the default
/// of R's `quantile` and NumPy's `percentile`): with the samples sorted as `x[0] ≤ … ≤
/// x[n−1]`, the `p` quantile is at position `h = (n − 1)·p`, i.e. `x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1]
/// − x[⌊h⌋])`.
pub fn quartiles(samples: &[f64]) -> Option<(f64, f64, f64)> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |p: f64| {
        let h = (sorted.len() - 1) as f64 * p;
        let lo = h.floor() as usize;
        let hi = (lo + 1).min(sorted.len() - 1);
        sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
    };
    Some((at(0.25), at(0.5), at(0.75)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: &str, time_ms: u64, what: What) -> FeedbackEvent {
        FeedbackEvent {
            v: EVENT_SCHEMA,
            id: id.into(),
            visitor: id.rsplit_once('-').map_or(id, |(v, _)| v).into(),
            time_ms,
            what,
        }
    }
    fn rating(work: &str, stars: u8) -> What {
        What::Rating {
            work: work.into(),
            stars,
        }
    }
    fn like(work: &str, liked: bool) -> What {
        What::Like {
            work: work.into(),
            liked,
        }
    }
    fn comment(work: &str, text: &str) -> What {
        What::Comment {
            work: work.into(),
            text: text.into(),
        }
    }
    fn dwell(work: &str, seconds: f64) -> What {
        What::Dwell {
            work: work.into(),
            seconds,
        }
    }

    fn known(work: &str) -> bool {
        matches!(work, "dawn" | "dusk" | "noon")
    }

    /// Every reason at least once. The expected results below were worked out by hand.
    fn fixture() -> Vec<FeedbackEvent> {
        let mut newer = ev("a-1", 1000, rating("dawn", 3));
        newer.v = EVENT_SCHEMA + 1;
        vec![
            newer,                                            // newer schema
            ev("a-2", 1000, rating("dawn", 2)),               // superseded by a-5
            ev("a-2", 1001, rating("dawn", 4)),               // duplicate id
            ev("a-3", 1100, rating("atlantis", 5)),           // unknown work
            ev("a-4", 1200, rating("dusk", 0)),               // invalid rating
            ev("a-5", 2000, rating("dawn", 5)),               // kept: a's last rating of dawn
            ev("a-6", 2100, comment("dawn", "  lovely  ")),   // invalid comment
            ev("a-7", 2200, comment("dawn", "")),             // invalid comment
            ev("a-8", 2300, comment("dawn", "lovely light")), // kept
            ev(
                "a-9",
                2400,
                What::Position {
                    x: f32::NAN,
                    z: 1.0,
                },
            ), // invalid position
            ev("a-10", 2500, What::Position { x: 2.0, z: 3.0 }), // kept
            ev("a-11", 2600, dwell("dawn", 1.0)),             // glance
            ev("a-12", 2700, dwell("dawn", f64::INFINITY)),   // glance
            ev("a-13", 2800, dwell("dawn", 601.0)),           // dwell cap
            // noon: 9 dwell times 10,11,12,13,14,15,16,17,200. Sorted, n = 9: Q1 at h = 2 is
            // 12, Q3 at h = 6 is 16, IQR 4, fence 16 + 12 = 28: 200 is an outlier.
            ev("b-1", 3000, dwell("noon", 10.0)),
            ev("b-2", 3000, dwell("noon", 11.0)),
            ev("b-3", 3000, dwell("noon", 200.0)), // dwell outlier
            ev("b-4", 3000, dwell("noon", 12.0)),
            ev("b-5", 3000, dwell("noon", 13.0)),
            ev("b-6", 3000, dwell("noon", 14.0)),
            ev("b-7", 3000, dwell("noon", 15.0)),
            ev("b-8", 3000, dwell("noon", 16.0)),
            ev("b-9", 3000, dwell("noon", 17.0)),
            // dusk: only 7 dwell times, so no outlier test; 500 stays.
            ev("c-1", 3000, dwell("dusk", 5.0)),
            ev("c-2", 3000, dwell("dusk", 5.0)),
            ev("c-3", 3000, dwell("dusk", 5.0)),
            ev("c-4", 3000, dwell("dusk", 5.0)),
            ev("c-5", 3000, dwell("dusk", 5.0)),
            ev("c-6", 3000, dwell("dusk", 5.0)),
            ev("c-7", 3000, dwell("dusk", 500.0)),
            // Same time: sequence 10 is later than 9 (numerically, not as text).
            ev("d-10", 4000, rating("dusk", 1)), // kept
            ev("d-9", 4000, rating("dusk", 4)),  // superseded rating
            // A later time wins over a larger sequence number.
            ev("d-20", 3999, like("dusk", true)), // superseded like
            ev("d-11", 4001, like("dusk", false)), // kept: d no longer likes dusk
            ev("d-12", 4002, like("dawn", true)), // kept: another work
            ev("e-1", 4100, like("dusk", true)),  // kept: another visitor
        ]
    }

    #[test]
    fn the_hand_written_fixture_cleans_as_expected() {
        let events = fixture();
        let cleaned = clean(&events, known);
        let kept: Vec<&str> = cleaned.kept.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            kept,
            [
                "a-5", "a-8", "a-10", "b-1", "b-2", "b-4", "b-5", "b-6", "b-7", "b-8", "b-9",
                "c-1", "c-2", "c-3", "c-4", "c-5", "c-6", "c-7", "d-10", "d-11", "d-12", "e-1",
            ]
        );
        let expected: BTreeMap<&str, usize> = [
            ("newer schema", 1),
            ("duplicate id", 1),
            ("unknown work", 1),
            ("invalid rating", 1),
            ("invalid comment", 2),
            ("invalid position", 1),
            ("glance", 2),
            ("dwell cap", 1),
            ("dwell outlier", 1),
            ("superseded rating", 2),
            ("superseded like", 1),
        ]
        .into_iter()
        .collect();
        assert_eq!(cleaned.dropped, expected);
        assert_eq!(cleaned.input, 36);
        assert_eq!(
            cleaned.input,
            cleaned.kept.len() + cleaned.dropped.values().sum::<usize>()
        );
        assert_eq!(
            cleaned.summary(),
            "kept 22 of 36 events; dropped: 2 invalid comment, 2 glance, 2 superseded rating, \
             1 newer schema, 1 duplicate id, 1 unknown work, 1 invalid rating, \
             1 invalid position, 1 dwell cap, 1 dwell outlier, 1 superseded like"
        );
        // Every key is a documented reason.
        assert!(cleaned.dropped.keys().all(|k| REASONS.contains(k)));
    }

    #[test]
    fn cleaning_is_deterministic_and_accounts_for_every_event() {
        let events = fixture();
        assert_eq!(clean(&events, known), clean(&events, known));
        for n in 0..=events.len() {
            let cleaned = clean(&events[..n], known);
            assert_eq!(cleaned.input, cleaned.kept.len() + cleaned.dropped_total());
        }
        let none = clean(&[], known);
        assert_eq!(none.summary(), "kept 0 of 0 events; nothing dropped");
    }

    #[test]
    fn equal_order_keys_fall_back_to_input_order() {
        let events = [
            ev("x", 5, rating("dawn", 2)),
            ev("x-007", 5, rating("dawn", 3)),
            ev("x-7", 5, rating("dawn", 4)),
        ];
        // "x" has no sequence number, so comes first; 007 and 7 are equal, later input wins.
        let cleaned = clean(&events, known);
        let ids: Vec<&str> = cleaned.kept.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["x-7"]);
    }

    #[test]
    fn quartiles_interpolate_linearly() {
        assert_eq!(quartiles(&[]), None);
        assert_eq!(quartiles(&[4.0]), Some((4.0, 4.0, 4.0)));
        // n = 4: positions 0.75, 1.5, 2.25.
        assert_eq!(quartiles(&[4.0, 1.0, 3.0, 2.0]), Some((1.75, 2.5, 3.25)));
        assert_eq!(sequence_number("v1-0042"), Some("42"));
        assert_eq!(sequence_number("v1-000"), Some("0"));
        assert_eq!(sequence_number("v1-+3"), None);
        assert_eq!(sequence_number("v1"), None);
        assert_eq!(
            compare_sequence(
                Some("99999999999999999999999"),
                Some("100000000000000000000000")
            ),
            Ordering::Less
        );
    }
}
