//! Visitor feedback: ratings, likes, comments and dwell time, checked, stored locally and
//! loaded back; each visitor has a stable anonymous id.
//!
//! The pure parts (event records, the append-only store's encoding, cleaning, analytics) know
//! nothing of Bevy; this module wires them to the game: actions from the UI and from scripts
//! go through [`FeedbackAction`] and the same checks.

pub mod analytics;
pub mod clean;
pub mod event;
pub mod store;

use std::path::PathBuf;

use bevy::prelude::*;

use crate::gallery::{ActiveLevel, ExhibitionData};
use crate::interaction::Focus;
use crate::interaction::focus::FocusSystems;
use crate::player::{ActionRefused, LocalVisitor, Visitor};
use crate::screens::Screen;
use event::{EVENT_SCHEMA, FeedbackEvent, MAX_DWELL, MIN_DWELL, What};

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<FeedbackLog>()
        .init_resource::<FeedbackClock>()
        .add_message::<FeedbackAction>()
        .add_message::<FeedbackRecorded>()
        .add_systems(OnEnter(Screen::Gallery), load_feedback)
        .add_systems(
            FixedUpdate,
            (name_visitors, record_actions, track_dwell, sample_positions)
                .chain()
                .after(FocusSystems)
                .run_if(in_state(Screen::Gallery)),
        );
}

/// Seconds between two samples of where a visitor stands (heat maps).
pub const POSITION_INTERVAL: f64 = 2.0;

/// Every feedback event of this exhibition: loaded from the store, then those recorded since.
#[derive(Resource, Debug, Default, Clone)]
pub struct FeedbackLog {
    pub events: Vec<FeedbackEvent>,
    /// Records that could not be read (each names the file and line).
    pub warnings: Vec<String>,
    /// The store file, where there is one (desktop).
    pub file: Option<PathBuf>,
    /// Which exhibition the events belong to.
    pub exhibition: String,
}

impl FeedbackLog {
    /// The visitor's current rating of a work (their last one).
    pub fn rating(&self, visitor: &str, work: &str) -> Option<u8> {
        self.events.iter().rev().find_map(|e| match &e.what {
            What::Rating { work: w, stars } if w == work && e.visitor == visitor => Some(*stars),
            _ => None,
        })
    }

    /// Whether the visitor currently likes a work.
    pub fn liked(&self, visitor: &str, work: &str) -> bool {
        self.events
            .iter()
            .rev()
            .find_map(|e| match &e.what {
                What::Like { work: w, liked } if w == work && e.visitor == visitor => Some(*liked),
                _ => None,
            })
            .unwrap_or(false)
    }

    /// Comments on a work, oldest first.
    pub fn comments(&self, work: &str) -> Vec<&str> {
        self.events
            .iter()
            .filter_map(|e| match &e.what {
                What::Comment { work: w, text } if w == work => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// How event times are stamped: milliseconds since the Unix epoch. The game uses the real
/// clock; simulations a base time derived from the seed plus simulated seconds.
#[derive(Resource, Debug, Clone, Copy, Default)]
pub struct FeedbackClock {
    /// `Some(base)`: simulated, `time_ms = base + simulated_elapsed_ms`.
    pub simulated_base_ms: Option<u64>,
    /// Simulated time since the gallery opened, kept by the simulation's clock (loading takes
    /// a varying number of frames, so the fixed clock's elapsed time would not repeat).
    pub simulated_elapsed_ms: u64,
}

/// The id a simulated visitor should go by (derived from its script's name or the seed), so
/// runs are repeatable.
#[derive(Component, Debug, Clone, PartialEq, Eq)]
pub struct PreferredVisitorId(pub String);

/// A visitor's stable anonymous id and the sequence number of its next event.
#[derive(Component, Debug, Clone, PartialEq, Eq)]
pub struct VisitorId {
    pub id: String,
    pub next: u64,
}

/// Something a visitor does to a work, from the inspect panel or a script.
#[derive(Message, Debug, Clone, PartialEq)]
pub struct FeedbackAction {
    pub visitor: Entity,
    pub work: String,
    pub action: Action,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Rate(i64),
    Like(bool),
    Comment(String),
}

impl Action {
    pub fn describe(&self) -> String {
        match self {
            Action::Rate(n) => format!("rate {n}"),
            Action::Like(true) => "like".into(),
            Action::Like(false) => "unlike".into(),
            Action::Comment(_) => "comment".into(),
        }
    }
}

/// A feedback event that was just stored (for the UI, reports and scoring).
#[derive(Message, Debug, Clone, PartialEq)]
pub struct FeedbackRecorded {
    pub visitor: Entity,
    pub event: FeedbackEvent,
}

/// The dwell being timed: which work, since when (fixed-time seconds).
#[derive(Component, Debug, Clone, Default, PartialEq)]
pub struct DwellTimer {
    pub work: Option<String>,
    pub since: f64,
    pub last_position: f64,
}

pub fn load_feedback(
    data: Option<Res<ExhibitionData>>,
    level: Option<Res<ActiveLevel>>,
    mut log: ResMut<FeedbackLog>,
) {
    let (Some(data), Some(level)) = (data, level) else {
        return;
    };
    let exhibition = level.0.exhibition.id.clone();
    let file = data.dir.as_ref().map(|d| d.join(store::FILE_NAME));
    if log.exhibition == exhibition && log.file == file && !log.events.is_empty() {
        return;
    }
    *log = FeedbackLog {
        exhibition,
        file: file.clone(),
        ..default()
    };
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(path) = &file {
        let loaded = store::load(path);
        for warning in &loaded.warnings {
            warn!("{warning}");
        }
        log.events = loaded.events;
        log.warnings = loaded.warnings;
        info!(
            "{} feedback events loaded from {}",
            log.events.len(),
            path.display()
        );
    }
    // In the browser every event is its own IndexedDB record, checked like a line of the file.
    #[cfg(target_arch = "wasm32")]
    {
        let lines = crate::web::storage::feedback_lines(&log.exhibition);
        for (n, line) in lines.iter().enumerate() {
            let mut bytes = line.as_bytes().to_vec();
            if !bytes.ends_with(b"\n") {
                bytes.push(b'\n');
            }
            let loaded = store::decode(&bytes, &format!("browser feedback record {}", n + 1));
            for warning in &loaded.warnings {
                warn!("{warning}");
            }
            log.events.extend(loaded.events);
            log.warnings.extend(loaded.warnings);
        }
        info!(
            "{} feedback events loaded from the browser",
            log.events.len()
        );
    }
}

/// Gives each visitor its anonymous id: the person's from the data directory (made once),
/// simulated visitors' from their names.
fn name_visitors(
    mut commands: Commands,
    visitors: Query<
        (
            Entity,
            Option<&LocalVisitor>,
            Option<&Name>,
            Option<&PreferredVisitorId>,
        ),
        (With<Visitor>, Without<VisitorId>),
    >,
    launch: Res<crate::launch::Launch>,
    log: Res<FeedbackLog>,
) {
    for (entity, local, name, preferred) in &visitors {
        let id = if let Some(preferred) = preferred {
            slug(&preferred.0)
        } else if local.is_some() && launch.script.is_none() {
            local_visitor_id(&launch)
        } else {
            name.map_or_else(
                || format!("visitor-{}", entity.index()),
                |n| slug(n.as_str()),
            )
        };
        // Continue numbering after this visitor's stored events, so ids stay unique.
        let next = log
            .events
            .iter()
            .filter(|e| e.visitor == id)
            .filter_map(|e| e.id.rsplit('-').next()?.parse::<u64>().ok())
            .max()
            .map_or(1, |n| n + 1);
        commands
            .entity(entity)
            .insert((VisitorId { id, next }, DwellTimer::default()));
    }
}

fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            // Dashes separate the sequence number in event ids, so they are not kept.
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// The person's anonymous id: random, made once and kept in `<data dir>/visitor-id`.
fn local_visitor_id(launch: &crate::launch::Launch) -> String {
    #[cfg(not(target_arch = "wasm32"))]
    {
        if let Some(root) = crate::launch::data_root(launch.data_dir.as_deref()) {
            let path = root.join("visitor-id");
            if let Ok(text) = std::fs::read_to_string(&path) {
                let id = text.trim();
                if !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric())
                {
                    return id.to_string();
                }
            }
            let id = fresh_id();
            let _ = std::fs::create_dir_all(&root);
            if let Err(e) = std::fs::write(&path, &id) {
                warn!("cannot keep the visitor id in {}: {e}", path.display());
            }
            return id;
        }
    }
    // In the browser: kept in localStorage, so a reload is the same visitor (and wallet).
    #[cfg(target_arch = "wasm32")]
    {
        const KEY: &str = "vernissage.visitor-id";
        if let Some(id) = crate::web::storage::local_get(KEY)
            && !id.is_empty()
            && id.len() <= 64
            && id.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return id;
        }
        let id = crate::web::storage::random_hex(16);
        crate::web::storage::local_set(KEY, &id);
        let _ = launch;
        return id;
    }
    #[allow(unreachable_code)]
    {
        let _ = launch;
        fresh_id()
    }
}

/// 128 random bits as hex, from the operating system's hash keys (no extra dependency).
fn fresh_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut out = String::new();
    for _ in 0..2 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(0x5EED);
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

/// Now, for event timestamps.
pub(crate) fn now_ms(clock: &FeedbackClock, fixed: &Time<Fixed>) -> u64 {
    match clock.simulated_base_ms {
        Some(base) => {
            let _ = fixed;
            base + clock.simulated_elapsed_ms
        }
        None => wall_clock_ms(),
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn wall_clock_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[cfg(target_arch = "wasm32")]
fn wall_clock_ms() -> u64 {
    // The browser build stamps events with the page's clock once it has storage (web issue).
    0
}

/// Stores one event: appended to the store (flushed to disk) and to the log.
fn store_event(
    log: &mut FeedbackLog,
    id: &mut VisitorId,
    time_ms: u64,
    what: What,
) -> FeedbackEvent {
    let event = FeedbackEvent {
        v: EVENT_SCHEMA,
        id: format!("{}-{}", id.id, id.next),
        visitor: id.id.clone(),
        time_ms,
        what,
    };
    id.next += 1;
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(path) = &log.file
        && let Err(e) = store::append(path, &event)
    {
        warn!("cannot store feedback in {}: {e}", path.display());
    }
    // In the browser: one IndexedDB record per event, the same line as on the desktop.
    #[cfg(target_arch = "wasm32")]
    crate::web::storage::append_feedback(&log.exhibition, &store::encode(&event));
    log.events.push(event.clone());
    event
}

/// Checks and stores ratings, likes and comments; refusals go back as [`ActionRefused`].
fn record_actions(
    mut actions: MessageReader<FeedbackAction>,
    level: Option<Res<ActiveLevel>>,
    clock: Res<FeedbackClock>,
    fixed: Res<Time<Fixed>>,
    mut log: ResMut<FeedbackLog>,
    mut ids: Query<&mut VisitorId>,
    mut refused: MessageWriter<ActionRefused>,
    mut recorded: MessageWriter<FeedbackRecorded>,
) {
    for action in actions.read() {
        let refuse = |reason: String| ActionRefused {
            visitor: action.visitor,
            action: format!("{} \"{}\"", action.action.describe(), action.work),
            reason,
        };
        #[cfg(target_arch = "wasm32")]
        if crate::web::storage::in_another_tab() {
            refused.write(refuse(crate::web::tabs::ANOTHER_TAB.into()));
            continue;
        }
        let known = level
            .as_ref()
            .is_some_and(|l| l.0.works.iter().any(|w| w.id == action.work));
        if !known {
            refused.write(refuse(
                event::Refusal::UnknownWork(action.work.clone()).to_string(),
            ));
            continue;
        }
        let what = match &action.action {
            Action::Rate(n) => match event::check_rating(*n) {
                Ok(stars) => What::Rating {
                    work: action.work.clone(),
                    stars,
                },
                Err(e) => {
                    refused.write(refuse(e.to_string()));
                    continue;
                }
            },
            Action::Like(liked) => What::Like {
                work: action.work.clone(),
                liked: *liked,
            },
            Action::Comment(text) => match event::clean_comment(text) {
                Ok(text) => What::Comment {
                    work: action.work.clone(),
                    text,
                },
                Err(e) => {
                    refused.write(refuse(e.to_string()));
                    continue;
                }
            },
        };
        let Ok(mut id) = ids.get_mut(action.visitor) else {
            refused.write(refuse("this visitor has no id yet".into()));
            continue;
        };
        let time = now_ms(&clock, &fixed);
        let event = store_event(&mut log, &mut id, time, what);
        recorded.write(FeedbackRecorded {
            visitor: action.visitor,
            event,
        });
    }
}

/// Dwell time: while a work stays in focus (within reach), the visit lasts; when the focus
/// moves on, a visit longer than a glance is stored, capped at [`MAX_DWELL`].
fn track_dwell(
    clock: Res<FeedbackClock>,
    fixed: Res<Time<Fixed>>,
    mut log: ResMut<FeedbackLog>,
    mut visitors: Query<(Entity, &Focus, &mut DwellTimer, &mut VisitorId)>,
    mut recorded: MessageWriter<FeedbackRecorded>,
) {
    let now = fixed.elapsed().as_secs_f64();
    for (entity, focus, mut timer, mut id) in &mut visitors {
        if focus.work_id == timer.work {
            continue;
        }
        if let Some(work) = timer.work.take() {
            let seconds = now - timer.since;
            if seconds >= MIN_DWELL {
                let time = now_ms(&clock, &fixed);
                let event = store_event(
                    &mut log,
                    &mut id,
                    time,
                    What::Dwell {
                        work,
                        seconds: (seconds.min(MAX_DWELL) * 1000.0).round() / 1000.0,
                    },
                );
                recorded.write(FeedbackRecorded {
                    visitor: entity,
                    event,
                });
            }
        }
        timer.work = focus.work_id.clone();
        timer.since = now;
    }
}

/// Where visitors stand, every [`POSITION_INTERVAL`] seconds (for the heat map).
fn sample_positions(
    clock: Res<FeedbackClock>,
    fixed: Res<Time<Fixed>>,
    mut log: ResMut<FeedbackLog>,
    mut visitors: Query<(&Transform, &mut DwellTimer, &mut VisitorId)>,
) {
    let now = fixed.elapsed().as_secs_f64();
    for (transform, mut timer, mut id) in &mut visitors {
        if now - timer.last_position < POSITION_INTERVAL && timer.last_position > 0.0 {
            continue;
        }
        timer.last_position = now.max(f64::MIN_POSITIVE);
        let p = transform.translation;
        let time = now_ms(&clock, &fixed);
        store_event(
            &mut log,
            &mut id,
            time,
            What::Position {
                x: (p.x * 100.0).round() / 100.0,
                z: (p.z * 100.0).round() / 100.0,
            },
        );
    }
}
