//! Measure mode (`--measure`): once the gallery is loaded, every shader is compiled and the
//! opening's background work is done (scores, plaques redrawn with them), render warm-up frames
//! from the spawn point, then time frames (wall time, the main world's schedules, render
//! preparation), write the report (`crate::measure`) as JSON and exit.
//!
//! The main world is timed by two one-system schedules around `First` … `Last`. The render world
//! runs on its own thread (pipelined rendering), so its stamps go through a shared
//! [`RenderClock`]: extraction is timed by wrapping the render app's extract function, the render
//! schedule by a schedule before the render world's `First` and systems around
//! `prepare_windows` (the swapchain wait) and before and after `RenderSystems::Render`.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bevy::app::MainScheduleOrder;
use bevy::ecs::schedule::{ScheduleLabel, SingleThreadedExecutor};
use bevy::platform::time::Instant;
use bevy::prelude::*;
use bevy::render::renderer::RenderAdapterInfo;
use bevy::render::view::window::prepare_windows;
use bevy::render::{Render, RenderApp, RenderScheduleOrder, RenderSystems};
use bevy::window::PrimaryWindow;

use super::Screen;
use super::screenshot::{PendingPipelines, track_pending_pipelines};
use crate::gallery::ActiveLevel;
use crate::gallery::build::Artwork;
use crate::gallery::jobs::TextureJob;
use crate::launch::{Launch, Measure, process_start};
use crate::measure::{Counts, FrameSamples, Report, Startup, peak_rss};
use crate::scoring::game::GalleryScores;

/// Frames after which a run that never loaded gives up.
const GIVE_UP_FRAMES: u32 = 20_000;
/// Frames after loading that background work (scores, plaque redraws) may take before warm-up
/// starts anyway, with a warning.
const SETTLE_FRAMES: u32 = 2_000;

pub(super) fn plugin(app: &mut App) {
    let Some(settings) = app
        .world()
        .get_resource::<Launch>()
        .and_then(|l| l.measure.clone())
    else {
        return;
    };
    // The clock starts in `main`; this is only the fallback for other callers.
    process_start();
    track_pending_pipelines(app);
    let clock = RenderClock::default();
    app.add_schedule(single_threaded(FrameStart))
        .add_schedule(single_threaded(FrameEnd));
    {
        let mut order = app.world_mut().resource_mut::<MainScheduleOrder>();
        order.insert_before(First, FrameStart);
        order.insert_after(Last, FrameEnd);
    }
    app.insert_resource(clock.clone())
        .insert_resource(Measuring::new(settings))
        .add_systems(FrameStart, frame_start)
        .add_systems(FrameEnd, frame_end);

    let Some(render_app) = app.get_sub_app_mut(RenderApp) else {
        return;
    };
    if let Some(mut extract) = render_app.take_extract() {
        let clock = clock.clone();
        render_app.set_extract(move |main, render| {
            let started = Instant::now();
            extract(main, render);
            let took = started.elapsed();
            let mut times = clock.lock();
            if times.recording {
                times.extract.push(ms(took));
            }
        });
    }
    render_app
        .world_mut()
        .resource_mut::<RenderScheduleOrder>()
        .insert_before(First, RenderStart);
    render_app
        .add_schedule(single_threaded(RenderStart))
        .insert_resource(clock)
        .add_systems(RenderStart, render_start)
        .add_systems(
            Render,
            (
                before_swapchain
                    .in_set(RenderSystems::PrepareViews)
                    .before(prepare_windows),
                after_swapchain
                    .in_set(RenderSystems::PrepareViews)
                    .after(prepare_windows),
                prepared
                    .after(RenderSystems::Prepare)
                    .before(RenderSystems::Render),
                rendered.in_set(RenderSystems::Cleanup),
            ),
        );
}

fn single_threaded(label: impl ScheduleLabel) -> Schedule {
    let mut schedule = Schedule::new(label);
    schedule.set_executor(SingleThreadedExecutor::new());
    schedule
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Seconds since the process started.
fn since_start(at: Instant) -> f64 {
    at.saturating_duration_since(process_start()).as_secs_f64()
}

/// Runs before `First`: a frame of the main world starts.
#[derive(ScheduleLabel, Debug, Clone, PartialEq, Eq, Hash)]
struct FrameStart;

/// Runs after `Last`: the main world's frame is done.
#[derive(ScheduleLabel, Debug, Clone, PartialEq, Eq, Hash)]
struct FrameEnd;

/// Runs first in the render world's update, before its `First` and `Render` schedules.
#[derive(ScheduleLabel, Debug, Clone, PartialEq, Eq, Hash)]
struct RenderStart;

/// Stamps taken on the render thread (and the extract step), shared by both worlds.
#[derive(Resource, Clone, Default)]
struct RenderClock(Arc<Mutex<RenderTimes>>);

impl RenderClock {
    fn lock(&self) -> MutexGuard<'_, RenderTimes> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Default)]
struct RenderTimes {
    /// Whether samples are kept (the timed frames).
    recording: bool,
    /// When the render world first finished `RenderSystems::Render`.
    first_frame: Option<Instant>,
    frame_start: Option<Instant>,
    swapchain_start: Option<Instant>,
    swapchain: Duration,
    prepared: Option<Instant>,
    /// Samples in milliseconds (see [`FrameSamples`]).
    extract: Vec<f64>,
    prepare: Vec<f64>,
    swapchain_ms: Vec<f64>,
    render: Vec<f64>,
}

fn render_start(clock: Res<RenderClock>) {
    let mut times = clock.lock();
    times.frame_start = Some(Instant::now());
    times.swapchain = Duration::ZERO;
}

fn before_swapchain(clock: Res<RenderClock>) {
    clock.lock().swapchain_start = Some(Instant::now());
}

fn after_swapchain(clock: Res<RenderClock>) {
    let mut times = clock.lock();
    if let Some(start) = times.swapchain_start.take() {
        times.swapchain += start.elapsed();
    }
}

fn prepared(clock: Res<RenderClock>) {
    let now = Instant::now();
    let mut times = clock.lock();
    times.prepared = Some(now);
    if times.recording
        && let Some(start) = times.frame_start
    {
        let wait = times.swapchain;
        let prepare = now.saturating_duration_since(start).saturating_sub(wait);
        times.prepare.push(ms(prepare));
        times.swapchain_ms.push(ms(wait));
    }
}

fn rendered(clock: Res<RenderClock>) {
    let now = Instant::now();
    let mut times = clock.lock();
    times.first_frame.get_or_insert(now);
    if times.recording
        && let Some(prepared) = times.prepared
    {
        times
            .render
            .push(ms(now.saturating_duration_since(prepared)));
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Phase {
    /// Waiting for the gallery and its shaders.
    #[default]
    Loading,
    /// Rendering untimed frames.
    WarmUp,
    /// Timing frames.
    Timing,
    Done,
}

#[derive(Resource)]
struct Measuring {
    settings: Measure,
    phase: Phase,
    /// When this frame's main schedule started.
    frame_begun: Option<Instant>,
    /// When the previous frame's main schedule started.
    last_start: Option<Instant>,
    /// Frames begun since timing started.
    frames_begun: u32,
    warmed: u32,
    frames_total: u32,
    /// Timed frames during which a pipeline was still compiling.
    pending_pipeline_frames: u32,
    /// Timed frames during which a texture was being painted.
    painting_frames: u32,
    wall: Vec<f64>,
    main: Vec<f64>,
    startup: Startup,
}

impl Measuring {
    fn new(settings: Measure) -> Measuring {
        Measuring {
            settings,
            phase: Phase::Loading,
            frame_begun: None,
            last_start: None,
            frames_begun: 0,
            warmed: 0,
            frames_total: 0,
            pending_pipeline_frames: 0,
            painting_frames: 0,
            wall: Vec::new(),
            main: Vec::new(),
            startup: Startup::default(),
        }
    }
}

fn frame_start(mut m: ResMut<Measuring>) {
    let now = Instant::now();
    if m.phase == Phase::Timing {
        if m.frames_begun > 0
            && let Some(previous) = m.last_start
        {
            m.wall.push(ms(now.saturating_duration_since(previous)));
        }
        m.frames_begun += 1;
    }
    m.last_start = Some(now);
    m.frame_begun = Some(now);
}

fn frame_end(world: &mut World) {
    let now = Instant::now();
    let screen = *world.resource::<State<Screen>>().get();
    let pending = world.resource::<PendingPipelines>().count();
    // Textures still being painted (plaques are redrawn once the scores are in) and the scores
    // themselves run on the worker threads the timed frames would share.
    let painting = world.query::<&TextureJob>().iter(world).count();
    let scored = world.contains_resource::<GalleryScores>();
    let clock = world.resource::<RenderClock>().clone();
    let mut m = world.resource_mut::<Measuring>();
    m.frames_total += 1;
    match m.phase {
        Phase::Loading => {
            if screen == Screen::Error {
                error!("not measured: the level has errors");
                m.phase = Phase::Done;
                world.write_message(AppExit::from_code(2));
            } else if m.frames_total > GIVE_UP_FRAMES {
                error!("not measured: the gallery did not finish loading");
                m.phase = Phase::Done;
                world.write_message(AppExit::from_code(3));
            } else if screen == Screen::Gallery {
                let frames = m.frames_total;
                let loaded_at = *m.startup.loading_frames.get_or_insert(frames);
                m.startup.loaded.get_or_insert(since_start(now));
                let busy = pending > 0 || painting > 0 || !scored;
                let waited = m.frames_total - loaded_at > SETTLE_FRAMES;
                if !busy || waited {
                    if busy {
                        warn!(
                            "timing while still busy: {pending} pipelines, {painting} textures, \
                             scores {}",
                            if scored { "ready" } else { "not ready" }
                        );
                    }
                    m.startup.ready = Some(since_start(now));
                    m.phase = Phase::WarmUp;
                }
            }
        }
        Phase::WarmUp => {
            // A pipeline compiled late (a light's shadows switched on, say) or a texture painted
            // late starts it over.
            m.warmed = if pending > 0 || painting > 0 {
                0
            } else {
                m.warmed + 1
            };
            if m.warmed >= m.settings.warmup {
                m.phase = Phase::Timing;
                m.startup.measure_start = Some(since_start(now));
                clock.lock().recording = true;
            } else if m.frames_total > GIVE_UP_FRAMES {
                error!("not measured: pipelines or textures kept coming");
                m.phase = Phase::Done;
                world.write_message(AppExit::from_code(3));
            }
        }
        Phase::Timing => {
            if let Some(begun) = m.frame_begun {
                m.main.push(ms(now.saturating_duration_since(begun)));
            }
            m.pending_pipeline_frames += u32::from(pending > 0);
            m.painting_frames += u32::from(painting > 0);
            if m.wall.len() >= m.settings.frames as usize {
                m.startup.measure_end = Some(since_start(now));
                m.phase = Phase::Done;
                clock.lock().recording = false;
                let code = finish(world, &clock);
                world.write_message(code);
            }
        }
        Phase::Done => {}
    }
}

/// Gathers the report, writes it and says how the run should end.
fn finish(world: &mut World, clock: &RenderClock) -> AppExit {
    let (samples, first_frame) = {
        let mut times = clock.lock();
        let mut m = world.resource_mut::<Measuring>();
        let frames = m.settings.frames as usize;
        let mut main = std::mem::take(&mut m.main);
        main.truncate(frames);
        (
            FrameSamples {
                wall: std::mem::take(&mut m.wall),
                main,
                extract: std::mem::take(&mut times.extract),
                prepare: std::mem::take(&mut times.prepare),
                swapchain: std::mem::take(&mut times.swapchain_ms),
                render: std::mem::take(&mut times.render),
            },
            times.first_frame,
        )
    };
    let counts = counts(world);
    let launch = world.resource::<Launch>();
    let (level, baseline) = (launch.level.label(), launch.baseline);
    let adapter = world
        .get_resource::<RenderAdapterInfo>()
        .map(|info| format!("{} ({:?}, {})", info.name, info.device_type, info.driver))
        .unwrap_or_default();
    let resolution = world
        .query_filtered::<&Window, With<PrimaryWindow>>()
        .iter(world)
        .next()
        .map_or((0, 0), |w| {
            (
                w.resolution.physical_width(),
                w.resolution.physical_height(),
            )
        });
    let m = world.resource::<Measuring>();
    if m.pending_pipeline_frames > 0 || m.painting_frames > 0 {
        warn!(
            "of the timed frames, {} had a pipeline compiling and {} a texture painting",
            m.pending_pipeline_frames, m.painting_frames
        );
    }
    let report = Report {
        level,
        baseline,
        adapter,
        resolution,
        warmup_frames: m.settings.warmup,
        samples,
        startup: Startup {
            first_frame: first_frame.map(since_start),
            ..m.startup
        },
        peak_rss: peak_rss(),
        counts,
    };
    let path = m.settings.path.clone();
    let mut json = report.to_json();
    json["pending_pipeline_frames"] = m.pending_pipeline_frames.into();
    json["painting_frames"] = m.painting_frames.into();
    let text = serde_json::to_string_pretty(&json).unwrap_or_default() + "\n";
    if let Err(e) = std::fs::write(&path, text) {
        error!("cannot write the measurement to {}: {e}", path.display());
        return AppExit::error();
    }
    info!("measurement written to {}", path.display());
    {
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), "{}", report.summary());
    }
    AppExit::Success
}

/// What the scene holds now.
fn counts(world: &mut World) -> Counts {
    let mut lights: Vec<(bool, bool)> = Vec::new();
    let mut spots = world.query::<(&SpotLight, &InheritedVisibility)>();
    lights.extend(
        spots
            .iter(world)
            .map(|(l, v)| (l.shadow_maps_enabled, v.get())),
    );
    let mut points = world.query::<(&PointLight, &InheritedVisibility)>();
    lights.extend(
        points
            .iter(world)
            .map(|(l, v)| (l.shadow_maps_enabled, v.get())),
    );
    let mut suns = world.query::<(&DirectionalLight, &InheritedVisibility)>();
    lights.extend(
        suns.iter(world)
            .map(|(l, v)| (l.shadow_maps_enabled, v.get())),
    );
    let mut meshes = world.query_filtered::<&ViewVisibility, With<Mesh3d>>();
    let (mesh_count, in_view) = meshes
        .iter(world)
        .fold((0, 0), |(n, seen), v| (n + 1, seen + usize::from(v.get())));
    let works = world
        .query_filtered::<(), With<Artwork>>()
        .iter(world)
        .count();
    let (rooms, level_works) = world
        .get_resource::<ActiveLevel>()
        .map_or((0, 0), |l| (l.0.rooms.len(), l.0.works.len()));
    let (images, texture_bytes) = world
        .get_resource::<Assets<Image>>()
        .map_or((0, 0), |images| {
            (
                images.len(),
                images.iter().map(|(_, image)| texture_bytes(image)).sum(),
            )
        });
    Counts {
        rooms,
        level_works,
        works,
        lights: lights.len(),
        lights_shown: lights.iter().filter(|(_, shown)| *shown).count(),
        shadow_lights: lights.iter().filter(|(s, shown)| *s && *shown).count(),
        entities: world.entities().count_spawned() as usize,
        meshes: mesh_count,
        meshes_in_view: in_view,
        images,
        texture_bytes,
    }
}

/// Pixel bytes of an image with its whole mip chain.
fn texture_bytes(image: &Image) -> u64 {
    let d = &image.texture_descriptor;
    let bytes_per_texel = u64::from(d.format.block_copy_size(None).unwrap_or(4));
    let (w, h) = (u64::from(d.size.width), u64::from(d.size.height));
    let layers = u64::from(d.size.depth_or_array_layers);
    (0..d.mip_level_count)
        .map(|mip| (w >> mip).max(1) * (h >> mip).max(1) * layers * bytes_per_texel)
        .sum()
}
