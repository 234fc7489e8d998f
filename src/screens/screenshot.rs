//! Screenshot mode: once the gallery is loaded and every shader is compiled, render N more
//! frames from the spawn point, save a PNG and exit (non-zero if no file was written).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bevy::prelude::*;
use bevy::render::render_resource::PipelineCache;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::render::{Render, RenderApp, RenderSystems};

use super::Screen;
use crate::launch::Launch;

pub(super) fn plugin(app: &mut App) {
    track_pending_pipelines(app);
    app.init_resource::<Countdown>()
        .add_systems(Update, (count_down, give_up).chain());
}

/// Makes [`PendingPipelines`] count in the main world what the render world is compiling.
pub(super) fn track_pending_pipelines(app: &mut App) {
    if app.world().contains_resource::<PendingPipelines>() {
        return;
    }
    let waiting = PendingPipelines::default();
    app.insert_resource(waiting.clone());
    if let Some(render_app) = app.get_sub_app_mut(RenderApp) {
        render_app.insert_resource(waiting).add_systems(
            Render,
            count_waiting_pipelines.in_set(RenderSystems::Cleanup),
        );
    }
}

/// Pipelines the renderer is still compiling, shared between the render and main worlds.
#[derive(Resource, Clone, Default)]
pub(super) struct PendingPipelines(Arc<AtomicUsize>);

impl PendingPipelines {
    pub(super) fn count(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}

#[derive(Resource, Default)]
struct Countdown {
    /// Frames rendered since loading finished with no pipeline pending.
    quiet_frames: u32,
    requested: bool,
    frames_total: u32,
    /// When the first quiet frame began, to log the mean frame time of the quiet frames.
    quiet_since: Option<bevy::platform::time::Instant>,
}

fn count_waiting_pipelines(cache: Res<PipelineCache>, pending: Res<PendingPipelines>) {
    pending
        .0
        .store(cache.waiting_pipelines().count(), Ordering::Relaxed);
}

fn count_down(
    mut commands: Commands,
    launch: Res<Launch>,
    screen: Res<State<Screen>>,
    pending: Res<PendingPipelines>,
    mut countdown: ResMut<Countdown>,
    scripted: Query<&crate::simulate::SimVisitor>,
) {
    countdown.frames_total += 1;
    let Some(shot) = &launch.screenshot else {
        return;
    };
    if *screen.get() != Screen::Gallery || countdown.requested {
        return;
    }
    // With a script, the picture is of where the script ends.
    let walking = launch.script.is_some()
        && (scripted.is_empty() || scripted.iter().any(|v| v.finished_at.is_none()));
    if pending.count() > 0 || walking {
        countdown.quiet_frames = 0;
        countdown.quiet_since = None;
        return;
    }
    countdown.quiet_frames += 1;
    if countdown.quiet_frames == 1 {
        countdown.quiet_since = Some(bevy::platform::time::Instant::now());
    }
    if countdown.quiet_frames >= shot.frames.max(1) {
        countdown.requested = true;
        if let Some(since) = countdown.quiet_since
            && countdown.quiet_frames > 1
        {
            let frames = countdown.quiet_frames - 1;
            let ms = since.elapsed().as_secs_f64() * 1000.0;
            info!(
                "rendered {frames} frames in {ms:.0} ms: {:.2} ms per frame",
                ms / f64::from(frames)
            );
        }
        let path = shot.path.clone();
        commands
            .spawn(Screenshot::primary_window())
            .observe(move |captured: On<ScreenshotCaptured>, mut exit: MessageWriter<AppExit>| {
                match save_png(&captured.image, &path) {
                    Ok(()) => {
                        info!("screenshot saved to {}", path.display());
                        exit.write(AppExit::Success);
                    }
                    Err(e) => {
                        error!("cannot save the screenshot to {}: {e}", path.display());
                        exit.write(AppExit::error());
                    }
                }
            });
    }
}

/// The error screen or an endless load must not hang a screenshot run.
fn give_up(
    screen: Res<State<Screen>>,
    countdown: Res<Countdown>,
    mut exit: MessageWriter<AppExit>,
) {
    if *screen.get() == Screen::Error {
        error!("screenshot not taken: the level has errors");
        exit.write(AppExit::from_code(2));
    } else if countdown.frames_total > 20_000 {
        error!("screenshot not taken: the gallery did not finish loading");
        exit.write(AppExit::from_code(3));
    }
}

fn save_png(image: &Image, path: &std::path::Path) -> Result<(), String> {
    let dynamic = image
        .clone()
        .try_into_dynamic()
        .map_err(|e| e.to_string())?;
    dynamic
        .to_rgb8()
        .save_with_format(path, image::ImageFormat::Png)
        .map_err(|e| e.to_string())
}
