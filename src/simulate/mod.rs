//! `vernissage simulate`: the real gameplay systems, headless, on a simulated clock, driven by
//! visitor scripts and seeded random visitors; events as JSON lines, a JSON report at the end.

pub mod report;
pub mod script;
pub mod wander;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;

use crate::HeadlessPlugin;
use crate::feedback::event::What;
use crate::feedback::{Action, FeedbackAction, FeedbackClock, FeedbackRecorded};
use crate::gallery::{ActiveLevel, LevelProblems};
use crate::interaction::Focus;
use crate::launch::{Launch, LevelLocation};
use crate::level::geometry::room_at;
use crate::market::ledger::Payload;
use crate::market::{MarketDone, MarketOrder, Order};
use crate::player::controller::visitor_body;
use crate::player::teleport::TeleportRequest;
use crate::player::{ActionRefused, Visitor, VisitorInput, VisitorSystems, heading_to_yaw};
use crate::screens::Screen;
use report::{Refusal, Report, VisitorReport, heading_degrees, round3};
use script::{Script, Step};

/// What to simulate.
#[derive(Debug, Clone)]
pub struct SimulationSpec {
    pub level: String,
    pub scripts: Vec<(String, Script)>,
    pub random_visitors: u32,
    pub seed: u64,
    /// Simulated seconds; `None`: until every script is done (at least 1 s), or 60 s with
    /// random visitors.
    pub duration: Option<f64>,
    /// Fixed steps per simulated second.
    pub rate: f64,
    pub data_dir: PathBuf,
    /// Print one JSON line per notable event on stdout.
    pub events: bool,
    /// Train the scoring model at the end and put every work's score in the report.
    pub scores: bool,
}

/// The simulated clock, in seconds since the gallery opened.
#[derive(Resource, Debug, Default, Clone, Copy)]
pub struct SimClock {
    pub time: f64,
    pub steps: u64,
}

/// A simulated visitor's record, filled in as it walks.
#[derive(Component, Debug, Clone)]
pub struct SimVisitor {
    pub name: String,
    pub kind: &'static str,
    pub path: Vec<[f64; 3]>,
    pub room_seconds: BTreeMap<String, f64>,
    pub room: Option<String>,
    pub refused: Vec<Refusal>,
    pub finished_at: Option<f64>,
    pub feedback: Vec<report::ReportedFeedback>,
    pub transactions: Vec<report::ReportedTransaction>,
}

/// Works the scripts published: waiting for their outcome, and done (for the report and for
/// the random visitors' taste).
#[derive(Resource, Debug, Clone, Default)]
pub struct Publications {
    /// (visitor, title, appeal) of publications sent and not answered yet.
    pending: Vec<(Entity, String, f64)>,
    pub done: Vec<report::ReportedPublication>,
    /// When the published works' scores were last sampled.
    sampled_at: Option<f64>,
    /// Image statistics of the works, computed once per level shown.
    stats: Option<(usize, BTreeMap<String, crate::scoring::ImageStats>)>,
}

impl Publications {
    /// The appeal a script gave a published work.
    pub fn appeal_of(&self, work: &str) -> Option<f64> {
        self.done.iter().find(|p| p.work == work).map(|p| p.appeal)
    }
}

/// A visitor following a script.
#[derive(Component, Debug, Clone)]
pub struct ScriptRunner {
    pub steps: Vec<Step>,
    pub next: usize,
    pub resume_at: f64,
    /// The work the last `Inspect` opened.
    pub inspected: Option<String>,
}

/// Where event lines go (stdout in the CLI; tests may leave it off).
#[derive(Resource, Debug, Clone, Copy)]
pub struct EventLines(pub bool);

/// Plays a script on the person's own visitor in the windowed game (`vernissage --script`).
pub struct LocalScriptPlugin {
    pub script: Script,
}

impl Plugin for LocalScriptPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(EventLines(false))
            .insert_resource(LocalScript(self.script.clone()))
            .init_resource::<SimClock>()
            .add_systems(
                Update,
                script_local_visitor.run_if(in_state(Screen::Gallery)),
            )
            .add_systems(
                FixedUpdate,
                (tick_clock, run_scripts)
                    .chain()
                    .before(VisitorSystems::Teleport)
                    .run_if(in_state(Screen::Gallery)),
            );
    }
}

#[derive(Resource, Debug, Clone)]
struct LocalScript(Script);

fn script_local_visitor(
    mut commands: Commands,
    script: Res<LocalScript>,
    visitors: Query<Entity, (With<crate::player::LocalVisitor>, Without<ScriptRunner>)>,
    mut clock: ResMut<SimClock>,
) {
    for visitor in &visitors {
        *clock = SimClock::default();
        commands.entity(visitor).insert((
            crate::player::Scripted,
            SimVisitor::new(
                script.0.name.clone().unwrap_or_else(|| "script".into()),
                "script",
            ),
            ScriptRunner {
                steps: script.0.steps.clone(),
                next: 0,
                resume_at: 0.0,
                inspected: None,
            },
        ));
    }
}

/// Builds the headless app of a simulation: the game's own plugins plus the simulation's.
pub fn simulation_app(spec: &SimulationSpec) -> App {
    let mut app = App::new();
    app.add_plugins(HeadlessPlugin {
        launch: Launch {
            level: LevelLocation::parse(&spec.level),
            data_dir: Some(spec.data_dir.clone()),
            watch: false,
            screenshot: None,
            measure: None,
            baseline: false,
            script: None,
            timeout: None,
        },
    });
    let step = Duration::from_secs_f64(1.0 / spec.rate);
    app.insert_resource(TimeUpdateStrategy::ManualDuration(step))
        .insert_resource(Time::<Fixed>::from_duration(step))
        .insert_resource(EventLines(spec.events))
        .insert_resource(SimSetup(spec.clone()))
        // Event times: 2026-01-01 00:00 UTC plus simulated time, never the wall clock.
        .insert_resource(FeedbackClock {
            simulated_base_ms: Some(SIMULATED_EPOCH_MS),
            simulated_elapsed_ms: 0,
        })
        // A new data directory's ledger key comes from the seed, so runs repeat exactly.
        .insert_resource(crate::market::MarketKeySeed(Some(spec.seed)))
        .init_resource::<SimClock>()
        .init_resource::<Publications>()
        .add_systems(OnEnter(Screen::Gallery), spawn_sim_visitors)
        // Publishing rebuilds the gallery (the screen leaves Gallery for a moment), so its
        // outcome is collected whatever the screen.
        .add_systems(Update, record_publications)
        .add_systems(
            FixedUpdate,
            (tick_clock, run_scripts, wander::steer)
                .chain()
                .before(VisitorSystems::Teleport)
                .run_if(in_state(Screen::Gallery)),
        )
        .add_systems(
            FixedUpdate,
            (
                record_visitors,
                record_refusals,
                record_feedback,
                record_transactions.after(crate::market::MarketSystems::Execute),
                sample_scores,
            )
                .chain()
                .after(VisitorSystems::Recover)
                .run_if(in_state(Screen::Gallery)),
        );
    // A simulation steps many small frames: waking worker threads for each system costs more
    // than it saves, so every schedule runs on this thread (the result is the same either way).
    for (_, schedule) in app.world_mut().resource_mut::<Schedules>().iter_mut() {
        schedule.set_executor(bevy::ecs::schedule::SingleThreadedExecutor::new());
    }
    app
}

#[derive(Resource, Debug, Clone)]
struct SimSetup(SimulationSpec);

/// Runs a simulation to its end; the report, or the level's problems.
pub fn run(spec: &SimulationSpec) -> Result<Report, Vec<String>> {
    let mut app = start(spec)?;
    let duration = spec.duration.unwrap_or_else(|| {
        let scripted = spec
            .scripts
            .iter()
            .map(|(_, s)| f64::from(s.duration()))
            .fold(0.0, f64::max);
        if spec.random_visitors > 0 {
            scripted.max(60.0)
        } else {
            scripted + 1.0
        }
    });
    let total_steps = (duration * spec.rate).round() as u64;
    while app.world().resource::<SimClock>().steps < total_steps {
        app.update();
    }
    Ok(build_report(&mut app, spec, duration))
}

/// Builds the simulation and waits until the gallery is open, ready to step with
/// `app.update()` (one fixed step per update).
pub fn start(spec: &SimulationSpec) -> Result<App, Vec<String>> {
    let mut app = simulation_app(spec);
    // Loading reads files on other threads: wait for it in real time (it does not count as
    // simulated time, and nothing in the simulation depends on how long it takes).
    let mut loaded = false;
    for _ in 0..200_000 {
        app.update();
        match *app.world().resource::<State<Screen>>().get() {
            Screen::Gallery => {
                loaded = true;
                break;
            }
            Screen::Error => {
                return Err(app.world().resource::<LevelProblems>().lines.clone());
            }
            _ => std::thread::sleep(Duration::from_millis(1)),
        }
    }
    if !loaded {
        return Err(vec![format!(
            "{}: the level did not finish loading",
            spec.level
        )]);
    }
    Ok(app)
}

fn build_report(app: &mut App, spec: &SimulationSpec, duration: f64) -> Report {
    let exhibition = app
        .world()
        .get_resource::<ActiveLevel>()
        .map(|l| l.0.exhibition.id.clone())
        .unwrap_or_default();
    let world = app.world_mut();
    let mut visitors: Vec<(usize, VisitorReport)> = world
        .query::<(
            &SimVisitor,
            &Visitor,
            &Transform,
            &SimOrder,
            Option<&crate::market::Wallet>,
        )>()
        .iter(world)
        .map(|(sim, visitor, transform, order, wallet)| {
            let p = transform.translation;
            (
                order.0,
                VisitorReport {
                    name: sim.name.clone(),
                    kind: sim.kind.to_string(),
                    final_position: [round3(f64::from(p.x)), round3(f64::from(p.z))],
                    final_heading: heading_degrees(visitor.yaw),
                    final_elevation: round3(f64::from(
                        p.y - crate::player::body_center_height()
                            - crate::player::controller::GROUND_GAP,
                    )) + 0.0,
                    final_room: sim.room.clone(),
                    path: sim.path.clone(),
                    room_seconds: sim
                        .room_seconds
                        .iter()
                        .map(|(k, v)| (k.clone(), round3(*v)))
                        .collect(),
                    refused: sim.refused.clone(),
                    finished_at: sim.finished_at,
                    feedback: sim.feedback.clone(),
                    wallet: wallet.map(|w| w.0.clone()),
                    balance: None,
                    owned: Vec::new(),
                    transactions: sim.transactions.clone(),
                },
            )
        })
        .collect();
    let market = world.get_resource::<crate::market::Market>();
    let ledger = market.map(|m| report::LedgerReport {
        entries: m.entries().len() as u64,
        head: m
            .entries()
            .last()
            .map(|e| crate::market::terms::hex(&e.hash))
            .unwrap_or_default(),
        balances: m.state().balances.clone().into_iter().collect(),
        closed: m.closed.clone(),
    });
    let holdings = |wallet: Option<&String>| {
        let (Some(market), Some(wallet)) = (market, wallet) else {
            return (None, Vec::new());
        };
        (
            market.balance(wallet),
            market
                .collection(wallet)
                .into_iter()
                .map(|(w, n)| format!("{w}#{n}"))
                .collect(),
        )
    };
    for (_, visitor) in &mut visitors {
        (visitor.balance, visitor.owned) = holdings(visitor.wallet.as_ref());
    }
    visitors.sort_by_key(|(order, _)| *order);
    // What was really simulated: loading already ran the first step.
    let steps = world.resource::<SimClock>().steps;
    let duration = duration.max(steps as f64 / spec.rate);
    let scores = if spec.scores {
        final_scores(world, spec)
    } else {
        Vec::new()
    };
    let mut published = world.resource::<Publications>().done.clone();
    let end = round3(duration);
    for p in &mut published {
        if let Some(s) = scores.iter().find(|s| s.work == p.work)
            && p.scores.last().is_none_or(|last| last.time < end)
        {
            p.scores.push(report::ScorePoint {
                time: end,
                predicted: s.predicted,
                ratings: s.ratings,
                measured_mean: s.measured_mean,
            });
        }
    }
    if let Some(market) = world.get_resource::<crate::market::Market>() {
        published_sales(market, &mut published);
    }
    Report {
        scores,
        ledger,
        published,
        format: report::REPORT_FORMAT,
        level: spec.level.clone(),
        exhibition,
        seed: (spec.random_visitors > 0).then_some(spec.seed),
        timestep: round3(1.0 / spec.rate * 1000.0) / 1000.0,
        duration: round3(duration),
        visitors: visitors.into_iter().map(|(_, v)| v).collect(),
    }
}

/// Simulated event times start at 2026-01-01 00:00:00 UTC.
pub const SIMULATED_EPOCH_MS: u64 = 1_767_225_600_000;

fn record_feedback(
    clock: Res<SimClock>,
    lines: Res<EventLines>,
    mut recorded: MessageReader<FeedbackRecorded>,
    mut visitors: Query<&mut SimVisitor>,
) {
    for message in recorded.read() {
        let Ok(mut sim) = visitors.get_mut(message.visitor) else {
            continue;
        };
        let (kind, work, value) = match &message.event.what {
            What::Rating { work, stars } => ("rating", work, stars.to_string()),
            What::Like { work, liked } => ("like", work, liked.to_string()),
            What::Comment { work, text } => ("comment", work, text.clone()),
            What::Dwell { work, seconds } => ("dwell", work, format!("{seconds}")),
            What::Position { .. } => continue,
        };
        emit(
            &lines,
            &clock,
            &sim.name,
            "feedback",
            serde_json::json!({ "kind": kind, "work": work, "value": value }),
        );
        sim.feedback.push(report::ReportedFeedback {
            time: round3(clock.time),
            kind: kind.to_string(),
            work: work.clone(),
            value,
        });
    }
}

/// Scores of every work from all the feedback the run's data directory holds.
fn final_scores(world: &mut World, spec: &SimulationSpec) -> Vec<report::ReportedScore> {
    let Some(level) = world.get_resource::<ActiveLevel>().map(|l| l.0.clone()) else {
        return Vec::new();
    };
    let events = world
        .resource::<crate::feedback::FeedbackLog>()
        .events
        .clone();
    let (root, _) = crate::level::exhibition_root(&spec.level);
    let root = std::path::PathBuf::from(root);
    let stats = crate::scoring::content::content_stats(&level, |p| {
        #[cfg(not(target_arch = "wasm32"))]
        {
            std::fs::read(root.join(p)).map_err(|e| e.to_string())
        }
        #[cfg(target_arch = "wasm32")]
        {
            let _ = (&root, p);
            Err("no files".to_string())
        }
    });
    let cleaned = crate::feedback::clean::clean(&events, |w| level.works.iter().any(|x| x.id == w));
    let scores = crate::scoring::score_exhibition(
        &level,
        &stats,
        &cleaned.kept,
        &crate::scoring::ScoringSettings::default(),
    );
    scores
        .per_work
        .iter()
        .map(|s| report::ReportedScore {
            work: s.work.clone(),
            predicted: round3(s.predicted),
            ratings: s.ratings,
            measured_mean: s.measured_mean.map(round3),
        })
        .collect()
}

/// Keeps visitors in the order they were given (scripts first, then random ones).
#[derive(Component, Debug, Clone, Copy)]
struct SimOrder(usize);

fn spawn_sim_visitors(
    mut commands: Commands,
    setup: Res<SimSetup>,
    spawn: Option<Res<crate::gallery::build::SpawnPoint>>,
    level: Option<Res<ActiveLevel>>,
    existing: Query<(), With<SimVisitor>>,
) {
    let (Some(spawn), Some(level)) = (spawn, level) else {
        return;
    };
    if !existing.is_empty() {
        return;
    }
    let spec = &setup.0;
    let yaw = heading_to_yaw(spawn.heading);
    let mut order = 0;
    for (name, script) in &spec.scripts {
        commands.spawn((
            Name::new(format!("Scripted visitor {name}")),
            visitor_body(spawn.eye, yaw),
            SimVisitor::new(name.clone(), "script"),
            crate::feedback::PreferredVisitorId(name.clone()),
            ScriptRunner {
                steps: script.steps.clone(),
                next: 0,
                resume_at: 0.0,
                inspected: None,
            },
            SimOrder(order),
        ));
        order += 1;
    }
    for i in 0..spec.random_visitors {
        let name = format!("random-{}", i + 1);
        commands.spawn((
            Name::new(format!("Random visitor {name}")),
            visitor_body(spawn.eye, yaw),
            crate::feedback::PreferredVisitorId(format!("random {} seed {}", i + 1, spec.seed)),
            SimVisitor::new(name, "random"),
            wander::Wanderer::new(spec.seed, i, &level.0),
            SimOrder(order),
        ));
        order += 1;
    }
}

impl SimVisitor {
    fn new(name: String, kind: &'static str) -> SimVisitor {
        SimVisitor {
            name,
            kind,
            path: Vec::new(),
            room_seconds: BTreeMap::new(),
            room: None,
            refused: Vec::new(),
            finished_at: None,
            feedback: Vec::new(),
            transactions: Vec::new(),
        }
    }
}

/// Step `n` (from 0) happens at `n × timestep` simulated seconds.
fn tick_clock(time: Res<Time>, mut clock: ResMut<SimClock>, mut stamps: ResMut<FeedbackClock>) {
    clock.time = clock.steps as f64 * time.delta().as_secs_f64();
    clock.steps += 1;
    if stamps.simulated_base_ms.is_some() {
        stamps.simulated_elapsed_ms = (clock.time * 1000.0).round() as u64;
    }
}

/// Prints one event as a JSON line and flushes it, so another process can follow along.
pub fn emit(
    lines: &EventLines,
    clock: &SimClock,
    visitor: &str,
    event: &str,
    extra: serde_json::Value,
) {
    if !lines.0 {
        return;
    }
    let mut line = serde_json::json!({
        "t": round3(clock.time),
        "visitor": visitor,
        "event": event,
    });
    if let (Some(map), serde_json::Value::Object(more)) = (line.as_object_mut(), extra) {
        map.extend(more);
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn run_scripts(
    clock: Res<SimClock>,
    lines: Res<EventLines>,
    mut visitors: Query<(
        Entity,
        &mut ScriptRunner,
        &mut VisitorInput,
        &mut SimVisitor,
        Option<&Focus>,
    )>,
    mut teleports: MessageWriter<TeleportRequest>,
    mut feedback: MessageWriter<FeedbackAction>,
    mut refused: MessageWriter<ActionRefused>,
    mut orders: MessageWriter<MarketOrder>,
    market: Option<Res<crate::market::Market>>,
    wallets: Query<&crate::market::Wallet>,
    mut publish: MessageWriter<crate::studio::PublishRequest>,
    mut publications: Option<ResMut<Publications>>,
    locals: Query<(), With<crate::player::LocalVisitor>>,
    mut panel: Option<ResMut<NextState<crate::screens::Panel>>>,
) {
    for (entity, mut runner, mut input, mut sim, focus) in &mut visitors {
        while runner.next < runner.steps.len() && clock.time + 1e-9 >= runner.resume_at {
            let step = runner.steps[runner.next].clone();
            runner.next += 1;
            emit(
                &lines,
                &clock,
                &sim.name,
                "step",
                serde_json::json!({ "step": step.describe() }),
            );
            match step {
                Step::Hold(key) => {
                    if let Some(name) = canonical_key(&key) {
                        input.held.insert(name);
                    }
                }
                Step::Release(key) => {
                    if let Some(name) = canonical_key(&key) {
                        input.held.remove(&name);
                    }
                }
                Step::Look(dx, dy) => input.look += Vec2::new(dx, dy),
                // Waits add up on the script's own timeline, so rounding to whole steps
                // never accumulates.
                Step::Wait(seconds) => runner.resume_at += f64::from(seconds),
                Step::Teleport(work) => {
                    runner.inspected = None;
                    teleports.write(TeleportRequest {
                        visitor: entity,
                        work,
                    });
                }
                Step::Inspect => match focus.and_then(|f| f.work_id.clone()) {
                    Some(work) => {
                        runner.inspected = Some(work);
                        // The person's own visitor (`--script` in the game) sees the panel.
                        if locals.contains(entity)
                            && let Some(panel) = panel.as_deref_mut()
                        {
                            panel.set(crate::screens::Panel::Inspect);
                        }
                    }
                    None => {
                        refused.write(ActionRefused {
                            visitor: entity,
                            action: "inspect".into(),
                            reason: "no work is in focus (look at one within reach)".into(),
                        });
                    }
                },
                Step::Buy | Step::List(_) | Step::BuyListing => {
                    let work = runner
                        .inspected
                        .clone()
                        .or_else(|| focus.and_then(|f| f.work_id.clone()));
                    let wallet = wallets.get(entity).ok().map(|w| w.0.as_str());
                    match market_order(&step, work, wallet, market.as_deref()) {
                        Ok(order) => {
                            orders.write(MarketOrder {
                                visitor: entity,
                                order,
                            });
                        }
                        Err(reason) => {
                            refused.write(ActionRefused {
                                visitor: entity,
                                action: step.describe(),
                                reason,
                            });
                        }
                    }
                }
                Step::Publish { .. } => match script::publication(&step) {
                    Some(Ok((candidate, publication, appeal))) => {
                        if let Some(p) = publications.as_deref_mut() {
                            p.pending.push((entity, publication.title.clone(), appeal));
                        }
                        publish.write(crate::studio::PublishRequest {
                            visitor: entity,
                            candidate,
                            publication,
                        });
                    }
                    Some(Err(reason)) => {
                        refused.write(ActionRefused {
                            visitor: entity,
                            action: step.describe(),
                            reason,
                        });
                    }
                    None => {}
                },
                Step::Rate(_) | Step::Like | Step::Unlike | Step::Comment(_) => {
                    let action = match step {
                        Step::Rate(n) => Action::Rate(n),
                        Step::Like => Action::Like(true),
                        Step::Unlike => Action::Like(false),
                        Step::Comment(text) => Action::Comment(text),
                        _ => continue,
                    };
                    let work = runner
                        .inspected
                        .clone()
                        .or_else(|| focus.and_then(|f| f.work_id.clone()));
                    match work {
                        Some(work) => {
                            feedback.write(FeedbackAction {
                                visitor: entity,
                                work,
                                action,
                            });
                        }
                        None => {
                            refused.write(ActionRefused {
                                visitor: entity,
                                action: action.describe(),
                                reason: "no work is inspected or in focus".into(),
                            });
                        }
                    }
                }
            }
        }
        if runner.next >= runner.steps.len()
            && clock.time + 1e-9 >= runner.resume_at
            && sim.finished_at.is_none()
        {
            sim.finished_at = Some(round3(clock.time));
            emit(&lines, &clock, &sim.name, "finished", serde_json::json!({}));
        }
    }
}

/// The market order a script step places on `work` (the inspected or focused one).
fn market_order(
    step: &Step,
    work: Option<String>,
    wallet: Option<&str>,
    market: Option<&crate::market::Market>,
) -> Result<Order, String> {
    let work = work.ok_or("no work is inspected or in focus")?;
    let (Some(market), Some(wallet)) = (market, wallet) else {
        return Err("the market is not open".into());
    };
    match step {
        Step::Buy => Ok(Order::Buy { work }),
        Step::List(price) => {
            let edition = market
                .collection(wallet)
                .into_iter()
                .find(|(w, _)| *w == work)
                .map(|(_, n)| n)
                .ok_or_else(|| format!("this visitor owns no edition of {work}"))?;
            Ok(Order::List {
                work,
                edition,
                price: *price,
            })
        }
        Step::BuyListing => {
            let edition = market
                .listings(&work)
                .into_iter()
                .filter(|(_, seller, _)| seller != wallet)
                .min_by_key(|(n, _, price)| (*price, *n))
                .map(|(n, _, _)| n)
                .ok_or_else(|| format!("no edition of {work} is offered by another wallet"))?;
            Ok(Order::BuyListing { work, edition })
        }
        _ => Err("not a market step".into()),
    }
}

/// Prints every committed transaction as a flushed JSON line (once it is on disk), keeps it
/// for the report, and reports refused orders like any refusal.
fn record_transactions(
    clock: Res<SimClock>,
    lines: Res<EventLines>,
    mut done: MessageReader<MarketDone>,
    mut visitors: Query<&mut SimVisitor>,
    mut refused: MessageWriter<ActionRefused>,
) {
    for message in done.read() {
        let Ok(mut sim) = visitors.get_mut(message.visitor) else {
            continue;
        };
        let entry = match &message.outcome {
            Ok(entry) => entry,
            Err(reason) => {
                refused.write(ActionRefused {
                    visitor: message.visitor,
                    action: message.order.describe(),
                    reason: reason.clone(),
                });
                continue;
            }
        };
        let (kind, work, edition, price) = match &entry.payload {
            Payload::Purchase {
                work,
                edition,
                price,
                ..
            } => ("buy", work, *edition, *price),
            Payload::List {
                work,
                edition,
                price,
                ..
            } => ("list", work, *edition, *price),
            Payload::Resale {
                work,
                edition,
                price,
                ..
            } => ("buy-listing", work, *edition, *price),
            _ => continue,
        };
        let hash = crate::market::terms::hex(&entry.hash);
        emit(
            &lines,
            &clock,
            &sim.name,
            "transaction",
            serde_json::json!({
                "kind": kind,
                "work": work,
                "edition": edition,
                "price": price,
                "index": entry.index,
                "hash": hash,
            }),
        );
        sim.transactions.push(report::ReportedTransaction {
            time: round3(clock.time),
            kind: kind.to_string(),
            work: work.clone(),
            edition,
            price,
            index: entry.index,
            hash,
        });
    }
}

/// Keeps each publication's outcome: the work for the report (and the random visitors'
/// taste), or the refusal.
fn record_publications(
    clock: Res<SimClock>,
    lines: Res<EventLines>,
    mut done: MessageReader<crate::studio::PublishDone>,
    mut publications: ResMut<Publications>,
    mut visitors: Query<&mut SimVisitor>,
) {
    for message in done.read() {
        let Ok(mut sim) = visitors.get_mut(message.visitor) else {
            continue;
        };
        let appeal = publications
            .pending
            .iter()
            .position(|(v, t, _)| *v == message.visitor && *t == message.title)
            .map(|i| publications.pending.remove(i).2)
            .unwrap_or(script::DEFAULT_APPEAL);
        match &message.outcome {
            Ok(p) => {
                let hash = crate::market::terms::hex(&p.content_hash);
                emit(
                    &lines,
                    &clock,
                    &sim.name,
                    "published",
                    serde_json::json!({
                        "work": p.work,
                        "title": message.title,
                        "content_hash": hash,
                        "index": p.entry.index,
                        "placement": p.placement,
                    }),
                );
                let artist = match &p.entry.payload {
                    Payload::RegisterWork { artist, .. } => artist.clone(),
                    _ => String::new(),
                };
                publications.done.push(report::ReportedPublication {
                    work: p.work.clone(),
                    title: message.title.clone(),
                    artist,
                    by: sim.name.clone(),
                    time: round3(clock.time),
                    content_hash: hash,
                    entry: p.entry.index,
                    appeal,
                    scores: Vec::new(),
                    sales: Vec::new(),
                });
            }
            Err(reason) => {
                let action = format!("publish \"{}\"", message.title);
                emit(
                    &lines,
                    &clock,
                    &sim.name,
                    "refused",
                    serde_json::json!({ "action": action, "reason": reason }),
                );
                sim.refused.push(Refusal {
                    time: round3(clock.time),
                    action,
                    reason: reason.clone(),
                });
            }
        }
    }
}

/// Every [`report::SCORE_INTERVAL`] simulated seconds, the published works' learned scores
/// from all the feedback so far (only when the run computes scores).
fn sample_scores(
    clock: Res<SimClock>,
    setup: Res<SimSetup>,
    level: Option<Res<ActiveLevel>>,
    log: Res<crate::feedback::FeedbackLog>,
    mut publications: ResMut<Publications>,
) {
    let Some(level) = level else {
        return;
    };
    if !setup.0.scores || publications.done.is_empty() {
        return;
    }
    let due = publications
        .sampled_at
        .is_none_or(|t| clock.time + 1e-9 >= t + report::SCORE_INTERVAL);
    if !due {
        return;
    }
    publications.sampled_at = Some(clock.time);
    let points = published_scores(&level.0, &log.events, &setup.0, &mut publications.stats);
    let time = round3(clock.time);
    for publication in &mut publications.done {
        if let Some(point) = points.get(&publication.work) {
            publication.scores.push(report::ScorePoint {
                time,
                ..point.clone()
            });
        }
    }
}

/// Every work's learned score from `events`, by id (image statistics cached per level).
fn published_scores(
    level: &crate::level::Level,
    events: &[crate::feedback::event::FeedbackEvent],
    spec: &SimulationSpec,
    cache: &mut Option<(usize, BTreeMap<String, crate::scoring::ImageStats>)>,
) -> BTreeMap<String, report::ScorePoint> {
    if cache.as_ref().is_none_or(|(n, _)| *n != level.works.len()) {
        *cache = Some((level.works.len(), level_stats(level, spec)));
    }
    let stats = cache.as_ref().map(|(_, s)| s).expect("just filled");
    let cleaned = crate::feedback::clean::clean(events, |w| level.works.iter().any(|x| x.id == w));
    let scores = crate::scoring::score_exhibition(
        level,
        stats,
        &cleaned.kept,
        &crate::scoring::ScoringSettings::default(),
    );
    scores
        .per_work
        .into_iter()
        .map(|s| {
            (
                s.work,
                report::ScorePoint {
                    time: 0.0,
                    predicted: round3(s.predicted),
                    ratings: s.ratings,
                    measured_mean: s.measured_mean.map(round3),
                },
            )
        })
        .collect()
}

/// The image statistics of a level's works, read relative to the simulated level's root.
fn level_stats(
    level: &crate::level::Level,
    spec: &SimulationSpec,
) -> BTreeMap<String, crate::scoring::ImageStats> {
    let (root, _) = crate::level::exhibition_root(&spec.level);
    let root = std::path::PathBuf::from(root);
    crate::scoring::content::content_stats(level, |p| {
        #[cfg(not(target_arch = "wasm32"))]
        {
            std::fs::read(root.join(p)).map_err(|e| e.to_string())
        }
        #[cfg(target_arch = "wasm32")]
        {
            let _ = (&root, p);
            Err("no files".to_string())
        }
    })
}

/// The sales of each published work, from the ledger.
fn published_sales(
    market: &crate::market::Market,
    publications: &mut [report::ReportedPublication],
) {
    for entry in market.entries() {
        let (kind, work, edition, buyer, price) = match &entry.payload {
            Payload::Purchase {
                work,
                edition,
                buyer,
                price,
                ..
            } => ("buy", work, *edition, buyer, *price),
            Payload::Resale {
                work,
                edition,
                buyer,
                price,
                ..
            } => ("buy-listing", work, *edition, buyer, *price),
            _ => continue,
        };
        if let Some(p) = publications.iter_mut().find(|p| &p.work == work) {
            p.sales.push(report::Sale {
                time: round3(entry.timestamp.saturating_sub(SIMULATED_EPOCH_MS) as f64 / 1000.0),
                edition,
                buyer: buyer.clone(),
                price,
                kind: kind.to_string(),
            });
        }
    }
}

/// The stable name of a key as scripts may write it (`W` is `KeyW`).
pub fn canonical_key(name: &str) -> Option<String> {
    let code = crate::player::keys::key_code(name)?;
    crate::player::keys::key_name(code).map(String::from)
}

fn record_visitors(
    clock: Res<SimClock>,
    lines: Res<EventLines>,
    time: Res<Time>,
    level: Option<Res<ActiveLevel>>,
    mut visitors: Query<(&Transform, &mut SimVisitor)>,
) {
    let Some(level) = level else {
        return;
    };
    let dt = time.delta().as_secs_f64();
    // Sample the path at t = 0, 0.5, 1.0, ... (the step that crosses each half second).
    let sample = {
        let before = ((clock.time - dt) / 0.5 + 1e-9).floor();
        let now = (clock.time / 0.5 + 1e-9).floor();
        now > before || clock.steps == 1
    };
    // The positions recorded are those after this step's movement.
    for (transform, mut sim) in &mut visitors {
        let p = transform.translation;
        let room = room_at(&level.0, [p.x, p.z]).map(|i| level.0.rooms[i].id.clone());
        if let Some(room) = &room {
            *sim.room_seconds.entry(room.clone()).or_default() += dt;
        }
        if room != sim.room {
            if let Some(r) = &room {
                emit(
                    &lines,
                    &clock,
                    &sim.name,
                    "entered_room",
                    serde_json::json!({ "room": r }),
                );
            }
            sim.room = room;
        }
        if sample {
            let t = round3((clock.time / 0.5).floor() * 0.5);
            sim.path
                .push([t, round3(f64::from(p.x)), round3(f64::from(p.z))]);
        }
    }
}

fn record_refusals(
    clock: Res<SimClock>,
    lines: Res<EventLines>,
    mut refusals: MessageReader<ActionRefused>,
    mut visitors: Query<&mut SimVisitor>,
) {
    for refusal in refusals.read() {
        if let Ok(mut sim) = visitors.get_mut(refusal.visitor) {
            emit(
                &lines,
                &clock,
                &sim.name,
                "refused",
                serde_json::json!({ "action": refusal.action, "reason": refusal.reason }),
            );
            sim.refused.push(Refusal {
                time: round3(clock.time),
                action: refusal.action.clone(),
                reason: refusal.reason.clone(),
            });
        }
    }
}
