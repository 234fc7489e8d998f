//! The figures of a `--measure` run, in plain Rust: per-frame samples, their statistics, peak
//! memory from `/proc/self/status`, the JSON report and its one-line summary. The ECS side that
//! takes the samples is `screens::measure`.

use serde_json::{Value, json};

/// Median, mean, 95th percentile and extremes of a series, in the series' unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub count: usize,
    pub median: f64,
    pub mean: f64,
    /// Nearest rank: the smallest sample at or above which lie 95 % of the samples.
    pub p95: f64,
    pub min: f64,
    pub max: f64,
}

impl Stats {
    /// `None` for no samples; samples that are not finite are left out.
    pub fn of(samples: &[f64]) -> Option<Stats> {
        let mut sorted: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        let rank = (0.95 * n as f64).ceil() as usize;
        Some(Stats {
            count: n,
            median,
            mean: sorted.iter().sum::<f64>() / n as f64,
            p95: sorted[rank.clamp(1, n) - 1],
            min: sorted[0],
            max: sorted[n - 1],
        })
    }

    fn to_json(self) -> Value {
        json!({
            "count": self.count,
            "median": round3(self.median),
            "mean": round3(self.mean),
            "p95": round3(self.p95),
            "min": round3(self.min),
            "max": round3(self.max),
        })
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn stats_json(samples: &[f64]) -> Value {
    Stats::of(samples).map_or(Value::Null, Stats::to_json)
}

/// Element-wise sums of two series, as long as the shorter one.
pub fn pairwise_sum(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x + y).collect()
}

/// The process's peak resident set (`VmHWM`) in bytes, from the text of `/proc/self/status`.
pub fn parse_vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let mut words = line["VmHWM:".len()..].split_whitespace();
    let value: u64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") | None => value.checked_mul(1024),
        _ => None,
    }
}

/// The peak resident set of this process in bytes; `None` where the system does not say (only
/// Linux's `/proc` is read).
pub fn peak_rss() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        parse_vm_hwm(&std::fs::read_to_string("/proc/self/status").ok()?)
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// Per-frame samples of the timed frames, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrameSamples {
    /// From the start of one frame's main schedule to the start of the next: what the player
    /// waits per frame.
    pub wall: Vec<f64>,
    /// The main world's schedules (`First` to `Last`): the game's own systems and Bevy's.
    pub main: Vec<f64>,
    /// Extraction into the render world (entity sync and `ExtractSchedule`), on the main thread.
    pub extract: Vec<f64>,
    /// The render world's schedule up to `RenderSystems::Render` (extract commands, prepare,
    /// specialise, queue, sort, bind groups), less the wait for a swapchain image.
    pub prepare: Vec<f64>,
    /// The wait for a swapchain image within the above (`prepare_windows`): the GPU's pace.
    pub swapchain: Vec<f64>,
    /// `RenderSystems::Render`: encoding the render graph, submitting it and presenting.
    pub render: Vec<f64>,
}

/// Times since the process started, in seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Startup {
    /// The first frame presented (the loading screen).
    pub first_frame: Option<f64>,
    /// The gallery opened: level read, every texture painted.
    pub loaded: Option<f64>,
    /// Loaded, every render pipeline compiled and the background work of opening done (scores,
    /// plaques redrawn with them): warm-up starts here.
    pub ready: Option<f64>,
    /// Warm-up done, timing starts.
    pub measure_start: Option<f64>,
    /// Timing done.
    pub measure_end: Option<f64>,
    /// Frames rendered until the gallery opened (textures are swapped in between frames).
    pub loading_frames: Option<u32>,
}

/// What the scene holds while it is timed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub rooms: usize,
    /// Works in the level file.
    pub level_works: usize,
    /// Works built (none in a baseline).
    pub works: usize,
    /// Spot, point and directional lights.
    pub lights: usize,
    /// Lights not hidden by room culling.
    pub lights_shown: usize,
    /// Lights casting shadows (and not hidden).
    pub shadow_lights: usize,
    pub entities: usize,
    pub meshes: usize,
    /// Meshes in a camera's view in the last frame.
    pub meshes_in_view: usize,
    pub images: usize,
    /// Bytes of every image's pixels, all mip levels: about what the textures take on the GPU.
    pub texture_bytes: u64,
}

/// Everything one `--measure` run found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub level: String,
    pub baseline: bool,
    pub adapter: String,
    pub resolution: (u32, u32),
    pub warmup_frames: u32,
    pub samples: FrameSamples,
    pub startup: Startup,
    pub peak_rss: Option<u64>,
    pub counts: Counts,
}

fn seconds(x: Option<f64>) -> Value {
    x.map_or(Value::Null, |s| json!(round3(s)))
}

impl Report {
    /// Render preparation per frame: extraction on the main thread plus the render world's
    /// preparation on the render thread.
    pub fn render_prep(&self) -> Vec<f64> {
        pairwise_sum(&self.samples.extract, &self.samples.prepare)
    }

    pub fn to_json(&self) -> Value {
        let s = &self.samples;
        let c = &self.counts;
        json!({
            "level": self.level,
            "baseline": self.baseline,
            "adapter": self.adapter,
            "resolution": [self.resolution.0, self.resolution.1],
            "present_mode": "AutoNoVsync",
            "warmup_frames": self.warmup_frames,
            "frames": s.wall.len(),
            "frame_ms": stats_json(&s.wall),
            "fps_median": Stats::of(&s.wall)
                .filter(|st| st.median > 0.0)
                .map_or(Value::Null, |st| json!(round3(1000.0 / st.median))),
            "cpu_ms": {
                "main_world": stats_json(&s.main),
                "render_prep": stats_json(&self.render_prep()),
                "extract": stats_json(&s.extract),
                "render_world_prepare": stats_json(&s.prepare),
            },
            "renderer_ms": {
                "swapchain_wait": stats_json(&s.swapchain),
                "render_submit_present": stats_json(&s.render),
            },
            "startup_s": {
                "first_frame": seconds(self.startup.first_frame),
                "loaded": seconds(self.startup.loaded),
                "ready": seconds(self.startup.ready),
                "measure_start": seconds(self.startup.measure_start),
                "measure_end": seconds(self.startup.measure_end),
            },
            "loading_frames": self.startup.loading_frames,
            "peak_rss_bytes": self.peak_rss.map_or(json!("unknown"), |b| json!(b)),
            "peak_rss_mib": self.peak_rss.map_or(json!("unknown"), |b| {
                json!(round3(b as f64 / (1024.0 * 1024.0)))
            }),
            "counts": {
                "rooms": c.rooms,
                "level_works": c.level_works,
                "works": c.works,
                "lights": c.lights,
                "lights_shown": c.lights_shown,
                "shadow_lights": c.shadow_lights,
                "entities": c.entities,
                "meshes": c.meshes,
                "meshes_in_view": c.meshes_in_view,
                "images": c.images,
                "texture_bytes": c.texture_bytes,
            },
        })
    }

    /// One line for the terminal.
    pub fn summary(&self) -> String {
        let median = |v: &[f64]| Stats::of(v).map_or(f64::NAN, |s| s.median);
        let p95 = Stats::of(&self.samples.wall).map_or(f64::NAN, |s| s.p95);
        let mib = self
            .peak_rss
            .map_or("unknown".to_string(), |b| format!("{} MiB", b >> 20));
        format!(
            "measured {}{}: {} frames, frame {:.2} ms median ({:.2} p95), CPU main {:.2} ms + \
             render prep {:.2} ms; first frame {:.2} s, loaded {:.2} s; peak RSS {mib}; {} works, \
             {} lights ({} with shadows)",
            self.level,
            if self.baseline { " (baseline)" } else { "" },
            self.samples.wall.len(),
            median(&self.samples.wall),
            p95,
            median(&self.samples.main),
            median(&self.render_prep()),
            self.startup.first_frame.unwrap_or(f64::NAN),
            self.startup.loaded.unwrap_or(f64::NAN),
            self.counts.works,
            self.counts.lights,
            self.counts.shadow_lights,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_of_a_series() {
        assert_eq!(Stats::of(&[]), None);
        let one = Stats::of(&[4.0]).unwrap();
        assert_eq!((one.median, one.mean, one.p95), (4.0, 4.0, 4.0));
        // Even count: the median is between the middle two; order does not matter.
        let s = Stats::of(&[4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!((s.median, s.mean, s.min, s.max), (2.5, 2.5, 1.0, 4.0));
        // 1..=100: nearest-rank p95 is the 95th sample; NaN is ignored.
        let mut hundred: Vec<f64> = (1..=100).map(f64::from).collect();
        hundred.push(f64::NAN);
        let s = Stats::of(&hundred).unwrap();
        assert_eq!((s.count, s.median, s.p95), (100, 50.5, 95.0));
        // One slow frame in twenty sets the p95 and barely moves the median.
        let mut frames = vec![10.0; 19];
        frames.push(100.0);
        let s = Stats::of(&frames).unwrap();
        assert_eq!((s.median, s.p95, s.max), (10.0, 10.0, 100.0));
        assert!((s.mean - 14.5).abs() < 1e-9);
    }

    #[test]
    fn peak_memory_is_read_from_proc_status() {
        let status =
            "Name:\tvernissage\nVmPeak:\t 4000000 kB\nVmHWM:\t  812344 kB\nVmRSS:\t 700000 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(812_344 * 1024));
        assert_eq!(parse_vm_hwm("VmRSS:\t1 kB\n"), None);
        assert_eq!(parse_vm_hwm("VmHWM:\tlots kB\n"), None);
        #[cfg(target_os = "linux")]
        assert!(peak_rss().is_some_and(|b| b > 0));
    }

    #[test]
    fn the_report_has_every_figure_and_says_unknown_memory() {
        let report = Report {
            level: "levels/default.ron".into(),
            baseline: true,
            adapter: "llvmpipe".into(),
            resolution: (1280, 720),
            warmup_frames: 60,
            samples: FrameSamples {
                wall: vec![250.0, 200.0, 300.0],
                main: vec![5.0, 6.0, 7.0],
                extract: vec![1.0, 1.0, 1.0],
                prepare: vec![2.0, 3.0],
                swapchain: vec![0.1, 0.1],
                render: vec![190.0, 200.0],
            },
            startup: Startup {
                first_frame: Some(1.5),
                loaded: Some(3.25),
                ..Startup::default()
            },
            peak_rss: None,
            counts: Counts {
                works: 0,
                lights: 12,
                ..Counts::default()
            },
        };
        assert_eq!(report.render_prep(), vec![3.0, 4.0]);
        let json = report.to_json();
        assert_eq!(json["frames"], 3);
        assert_eq!(json["frame_ms"]["median"], 250.0);
        assert_eq!(json["fps_median"], 4.0);
        assert_eq!(json["cpu_ms"]["main_world"]["mean"], 6.0);
        assert_eq!(json["cpu_ms"]["render_prep"]["median"], 3.5);
        assert_eq!(json["startup_s"]["loaded"], 3.25);
        assert_eq!(json["startup_s"]["ready"], Value::Null);
        assert_eq!(json["peak_rss_bytes"], "unknown");
        assert_eq!(json["counts"]["lights"], 12);
        assert_eq!(json["baseline"], true);
        let line = report.summary();
        assert!(line.contains("(baseline)"), "{line}");
        assert!(line.contains("250.00 ms median"), "{line}");
        assert!(line.contains("peak RSS unknown"), "{line}");
    }
}
