//! Texture jobs: the CPU painters run on the async task pool while the loading bar counts them;
//! finished pixels are copied into the images the materials already point at.
//!
//! Jobs are started a few at a time and their textures swapped in under a per-frame budget, so a
//! level with thousands of works loads progressively and no frame stalls: on the desktop at most
//! a few dozen jobs per worker thread are in flight (painting and mip chains run off the main
//! thread); in the browser, which has one thread, jobs run on the main thread for a few
//! milliseconds per frame.

use bevy::asset::RenderAssetUsages;
use bevy::image::{ImageAddressMode, ImageFilterMode, ImageSampler, ImageSamplerDescriptor};
use bevy::platform::collections::HashMap;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
#[cfg(not(target_arch = "wasm32"))]
use bevy::tasks::{AsyncComputeTaskPool, Task, futures::check_ready};

use super::pixels::Pixels;
use super::{LevelProblems, LoadProgress};
use crate::screens::Screen;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        (
            drop_superseded_jobs,
            start_jobs,
            finish_jobs,
            count_progress.run_if(in_state(Screen::Loading)),
        )
            .chain(),
    );
}

/// Texture bytes (all mip levels) swapped in per frame at most, beyond the first texture: keeps
/// uploads to the GPU from stalling a frame while thousands of textures come in.
pub const UPLOAD_BYTES_PER_FRAME: usize = if cfg!(target_arch = "wasm32") {
    4 << 20
} else {
    24 << 20
};
/// Jobs in flight per worker thread. New jobs start once a frame, so this is also how many
/// textures a worker paints per frame at most: a plaque or a small picture takes a few
/// milliseconds, and under software rendering a frame takes 50–300 ms (with 4, the 1 965 textures
/// of a 1 000-work level took 34 s to paint on a 2-core machine, the worker idle most of it).
#[cfg(not(target_arch = "wasm32"))]
const JOBS_PER_THREAD: usize = 32;
/// Milliseconds per frame the browser build spends painting (it has no worker threads).
#[cfg(target_arch = "wasm32")]
const WASM_PAINT_MS: f32 = 8.0;

type Painter = Box<dyn FnOnce() -> Result<Image, String> + Send + 'static>;

enum JobState {
    /// Not started yet (in a mutex only so the component is `Sync`).
    Waiting(std::sync::Mutex<Painter>),
    /// Painting on the task pool.
    #[cfg(not(target_arch = "wasm32"))]
    Running(Task<Result<Image, String>>),
    /// Painted; waiting for its turn to be swapped in.
    Done(Result<Image, String>),
    /// Being moved between states.
    Empty,
}

/// A texture being painted; its entity goes away when the pixels are in.
#[derive(Component)]
pub struct TextureJob {
    pub target: Handle<Image>,
    pub tiling: bool,
    pub label: String,
    /// Order of queueing: of two jobs for the same texture, the later one wins.
    sequence: u64,
    state: JobState,
}

/// Numbers the jobs in the order they are queued.
static NEXT_SEQUENCE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// An image file the loading screen waits for.
#[derive(Component)]
pub struct AwaitedImage(pub Handle<Image>);

/// Spawns a job that paints `paint` into `target` (a placeholder until it finishes).
pub fn spawn_job(
    commands: &mut Commands,
    parent: Entity,
    target: Handle<Image>,
    tiling: bool,
    label: impl Into<String>,
    paint: impl FnOnce() -> Result<Pixels, String> + Send + 'static,
) {
    // The mip chain is built with the pixels, off the main thread on the desktop.
    let painter: Painter = Box::new(move || paint().map(|pixels| to_image(&pixels, tiling)));
    commands.spawn((
        TextureJob {
            target,
            tiling,
            label: label.into(),
            sequence: NEXT_SEQUENCE.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            state: JobState::Waiting(std::sync::Mutex::new(painter)),
        },
        ChildOf(parent),
    ));
}

/// Of the jobs that paint the same texture only the latest queued counts: a plaque whose sale
/// line and then score line change while its first paint is still waiting would otherwise be
/// painted three times, and the older picture could land last. Superseded jobs go (a running
/// one is cancelled with its task).
fn drop_superseded_jobs(mut commands: Commands, jobs: Query<(Entity, &TextureJob)>) {
    let mut latest: HashMap<AssetId<Image>, u64> = HashMap::default();
    for (_, job) in &jobs {
        let newest = latest.entry(job.target.id()).or_insert(job.sequence);
        *newest = (*newest).max(job.sequence);
    }
    for (entity, job) in &jobs {
        if latest
            .get(&job.target.id())
            .is_some_and(|&newest| superseded(job.sequence, newest))
        {
            commands.entity(entity).despawn();
        }
    }
}

/// Whether a job numbered `sequence` is older than the latest job for its texture.
fn superseded(sequence: u64, latest: u64) -> bool {
    sequence < latest
}

/// Starts waiting jobs: on the desktop as many as keep every worker busy with a few queued
/// (so finished textures arrive steadily instead of all at the end); in the browser, paints
/// them right here for a few milliseconds per frame.
fn start_jobs(mut jobs: Query<&mut TextureJob>) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let pool = AsyncComputeTaskPool::get();
        let limit = JOBS_PER_THREAD * pool.thread_num().max(1);
        // Jobs that finished since the last frame free their slot now, not a frame later.
        for mut job in &mut jobs {
            if let JobState::Running(task) = &mut job.state
                && let Some(result) = check_ready(task)
            {
                job.state = JobState::Done(result);
            }
        }
        let mut running = jobs
            .iter()
            .filter(|j| matches!(j.state, JobState::Running(_)))
            .count();
        for mut job in &mut jobs {
            if running >= limit {
                break;
            }
            if matches!(job.state, JobState::Waiting(_))
                && let JobState::Waiting(paint) = std::mem::replace(&mut job.state, JobState::Empty)
            {
                let paint = paint.into_inner().unwrap_or_else(|e| e.into_inner());
                job.state = JobState::Running(pool.spawn(async move { paint() }));
                running += 1;
            }
        }
    }
    #[cfg(target_arch = "wasm32")]
    {
        let start = bevy::platform::time::Instant::now();
        for mut job in &mut jobs {
            if start.elapsed().as_secs_f32() * 1000.0 > WASM_PAINT_MS {
                break;
            }
            if matches!(job.state, JobState::Waiting(_))
                && let JobState::Waiting(paint) = std::mem::replace(&mut job.state, JobState::Empty)
            {
                let paint = paint.into_inner().unwrap_or_else(|e| e.into_inner());
                job.state = JobState::Done(paint());
            }
        }
    }
}

/// Bytes of an image's data (every mip level).
fn image_bytes(image: &Image) -> usize {
    image.data.as_ref().map_or(0, Vec::len)
}

/// The texture jobs of one gallery build, counted for the loading bar. Without a renderer
/// (tests, simulation) nothing is painted: nobody would see it.
#[derive(Debug, Clone, Copy)]
pub struct JobQueue {
    pub count: u32,
    pub paint: bool,
}

impl JobQueue {
    /// Queues a painting job (see [`spawn_job`]) if this build paints at all.
    pub fn add(
        &mut self,
        commands: &mut Commands,
        parent: Entity,
        target: Handle<Image>,
        tiling: bool,
        label: impl Into<String>,
        paint: impl FnOnce() -> Result<Pixels, String> + Send + 'static,
    ) {
        if self.paint {
            spawn_job(commands, parent, target, tiling, label, paint);
            self.count += 1;
        }
    }
}

/// A placeholder image: one pixel of `rgba` until the painter is done.
pub fn placeholder(images: &mut Assets<Image>, rgba: [u8; 4]) -> Handle<Image> {
    images.add(to_image(&Pixels::filled(1, 1, rgba), false))
}

/// Converts pixels to an sRGB texture with a full mip chain (box-filtered), so distant and
/// oblique surfaces do not shimmer.
pub fn to_image(pixels: &Pixels, tiling: bool) -> Image {
    let (data, levels) = mip_chain(pixels);
    let mut image = Image::new(
        Extent3d {
            width: pixels.width,
            height: pixels.height,
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        pixels.rgba.clone(),
        TextureFormat::Rgba8UnormSrgb,
        // Only the GPU keeps the pixels: a finished texture replaces its image rather than
        // editing it, and a thousand works' textures would otherwise stay in main memory too.
        RenderAssetUsages::RENDER_WORLD,
    );
    // The whole chain goes up with the texture; `Image::new` only accepts the first level.
    image.data = Some(data);
    image.texture_descriptor.mip_level_count = levels;
    let address = if tiling {
        ImageAddressMode::Repeat
    } else {
        ImageAddressMode::ClampToEdge
    };
    image.sampler = ImageSampler::Descriptor(ImageSamplerDescriptor {
        address_mode_u: address,
        address_mode_v: address,
        address_mode_w: address,
        mag_filter: ImageFilterMode::Linear,
        min_filter: ImageFilterMode::Linear,
        mipmap_filter: ImageFilterMode::Linear,
        anisotropy_clamp: if levels > 1 { 8 } else { 1 },
        ..default()
    });
    image
}

/// All mip levels of `pixels`, largest first, and their count.
pub fn mip_chain(pixels: &Pixels) -> (Vec<u8>, u32) {
    let mut data = pixels.rgba.clone();
    let mut levels = 1;
    let (mut w, mut h) = (pixels.width, pixels.height);
    let mut level = pixels.rgba.clone();
    while w > 1 && h > 1 && w % 2 == 0 && h % 2 == 0 {
        let (nw, nh) = (w / 2, h / 2);
        let mut next = vec![0u8; (nw * nh * 4) as usize];
        for y in 0..nh {
            for x in 0..nw {
                for c in 0..4 {
                    let at = |xx: u32, yy: u32| u32::from(level[((yy * w + xx) * 4 + c) as usize]);
                    let sum = at(2 * x, 2 * y)
                        + at(2 * x + 1, 2 * y)
                        + at(2 * x, 2 * y + 1)
                        + at(2 * x + 1, 2 * y + 1);
                    next[((y * nw + x) * 4 + c) as usize] = ((sum + 2) / 4) as u8;
                }
            }
        }
        data.extend_from_slice(&next);
        level = next;
        (w, h) = (nw, nh);
        levels += 1;
    }
    (data, levels)
}

/// Swaps finished textures in: each job's pixels become a new image, and every material (and
/// plaque) that showed the placeholder now shows the new image. Replacing the placeholder's
/// data in place is not enough: a prepared material keeps the texture it was bound with.
fn finish_jobs(
    mut commands: Commands,
    mut jobs: Query<(Entity, &mut TextureJob)>,
    mut images: ResMut<Assets<Image>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut canvases: Query<&mut super::build::PlaqueCanvas>,
    mut problems: ResMut<LevelProblems>,
) {
    let mut swaps: HashMap<AssetId<Image>, Handle<Image>> = HashMap::default();
    let mut uploaded = 0;
    for (entity, mut job) in &mut jobs {
        #[cfg(not(target_arch = "wasm32"))]
        if let JobState::Running(task) = &mut job.state
            && let Some(result) = check_ready(task)
        {
            job.state = JobState::Done(result);
        }
        // Within the frame's upload budget (the first texture always goes).
        let size = match &job.state {
            JobState::Done(Ok(image)) => image_bytes(image),
            JobState::Done(Err(_)) => 0,
            _ => continue,
        };
        if uploaded > 0 && uploaded + size > UPLOAD_BYTES_PER_FRAME {
            continue;
        }
        uploaded += size;
        let JobState::Done(result) = std::mem::replace(&mut job.state, JobState::Empty) else {
            continue;
        };
        match result {
            Ok(image) => {
                let image = images.add(image);
                swaps.insert(job.target.id(), image);
            }
            Err(why) => {
                warn!("{}: {why}", job.label);
                problems.lines.push(format!("{}: {why}", job.label));
            }
        }
        commands.entity(entity).despawn();
    }
    if swaps.is_empty() {
        return;
    }
    // A job queued for the old texture before the swap paints the new one.
    for (_, mut job) in &mut jobs {
        if let Some(new) = swaps.get(&job.target.id()) {
            job.target = new.clone();
        }
    }
    let stale: Vec<(AssetId<StandardMaterial>, Handle<Image>)> = materials
        .iter()
        .filter_map(|(id, m)| {
            let texture = m.base_color_texture.as_ref()?.id();
            swaps.get(&texture).map(|new| (id, new.clone()))
        })
        .collect();
    for (id, new) in stale {
        if let Some(mut material) = materials.get_mut(id) {
            material.base_color_texture = Some(new);
        }
    }
    for mut canvas in &mut canvases {
        if let Some(new) = swaps.get(&canvas.0.id()) {
            canvas.0 = new.clone();
        }
    }
}

fn count_progress(
    jobs: Query<(), With<TextureJob>>,
    awaited: Query<(Entity, &AwaitedImage)>,
    asset_server: Res<AssetServer>,
    mut commands: Commands,
    mut progress: ResMut<LoadProgress>,
) {
    let mut pending = jobs.iter().count() as u32;
    for (entity, image) in &awaited {
        match asset_server.load_state(&image.0) {
            bevy::asset::LoadState::Loaded | bevy::asset::LoadState::Failed(_) => {
                commands.entity(entity).despawn();
            }
            _ => pending += 1,
        }
    }
    progress.done = progress.total.saturating_sub(pending);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_latest_job_for_a_texture_is_kept() {
        let mut app = App::new();
        app.add_systems(Update, drop_superseded_jobs);
        let parent = app.world_mut().spawn_empty().id();
        let mut images = Assets::<Image>::default();
        let plaque = images.add(Image::default());
        let other = images.add(Image::default());
        let labels = ["first text", "second text", "other plaque", "third text"];
        let targets = [&plaque, &plaque, &other, &plaque];
        for (label, target) in labels.into_iter().zip(targets) {
            let mut commands = app.world_mut().commands();
            spawn_job(&mut commands, parent, target.clone(), false, label, || {
                Ok(Pixels::filled(1, 1, [0, 0, 0, 255]))
            });
            app.world_mut().flush();
        }
        app.update();
        let mut left: Vec<String> = app
            .world_mut()
            .query::<&TextureJob>()
            .iter(app.world())
            .map(|j| j.label.clone())
            .collect();
        left.sort();
        assert_eq!(left, ["other plaque", "third text"]);
    }

    #[test]
    fn mip_chain_halves_down_to_one_pixel() {
        let mut pixels = Pixels::filled(8, 4, [0, 0, 0, 255]);
        pixels.set(0, 0, [255, 255, 255, 255]);
        let (data, levels) = mip_chain(&pixels);
        // 8x4, 4x2, 2x1 (then 1 is odd... stops when either side reaches 1).
        assert_eq!(levels, 3);
        assert_eq!(data.len(), (8 * 4 + 4 * 2 + 2) * 4);
        // The white pixel averages into a quarter-grey in level 1.
        let level1 = &data[8 * 4 * 4..];
        assert_eq!(level1[0], 64);
    }
}
