//! The browser build's platform layer: the page's address, the panic message on the page,
//! browser storage (IndexedDB and localStorage) and the warnings it raises.

pub mod idb;
pub mod storage;
pub mod tabs;

use bevy::prelude::*;
use wasm_bindgen::JsCast;

use crate::launch::{Launch, LevelLocation};
use crate::screens::Screen;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Startup, log_fingerprints)
        .add_systems(OnEnter(Screen::Gallery), spawn_warning_line)
        .add_systems(Update, show_storage_warnings)
        .add_systems(Last, count_frames);
}

/// Publishes the number of frames the game has finished as `window.vernissageFrames`. A click
/// or key reaches the game in the frame after it arrives, so the browser test waits on this
/// count rather than guessing how long a software-rendered frame takes.
fn count_frames(frames: Res<bevy::diagnostic::FrameCount>) {
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(
            &window,
            &"vernissageFrames".into(),
            &f64::from(frames.0).into(),
        );
    }
}

/// Starts the game in the page: reads the address, shows panics on the page, loads the
/// browser's storage, then runs.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let message = format!("Vernissage stopped: {info}");
        web_sys::console::error_1(&message.clone().into());
        show_on_page("The gallery stopped because of an error", &message);
    }));
    let level = level_from_address();
    wasm_bindgen_futures::spawn_local(async move {
        storage::preload().await;
        set_page_state("running");
        crate::run_game(Launch {
            level,
            data_dir: None,
            watch: false,
            screenshot: None,
            measure: None,
            baseline: false,
            script: None,
            timeout: None,
        });
    });
}

/// `?level=NAME` (a level shipped beside the page, `levels/NAME.ron`), `?level=PATH.ron`, or
/// `?level=URL` (an exhibition elsewhere: its assets are read relative to the level's folder's
/// parent, as on the desktop). Without it, the bundled exhibition.
pub fn level_from_address() -> LevelLocation {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let param = web_sys::UrlSearchParams::new_with_str(&search)
        .ok()
        .and_then(|p| p.get("level"))
        .filter(|l| !l.trim().is_empty());
    LevelLocation::parse(&level_path(param.as_deref()))
}

/// What `?level=` names, as a level path or URL.
pub fn level_path(param: Option<&str>) -> String {
    match param.map(str::trim) {
        None => "levels/default.ron".into(),
        Some(p) if p.starts_with("http://") || p.starts_with("https://") => {
            let (root, level) = crate::level::exhibition_root(p);
            format!("{root}/{level}")
        }
        Some(p) if p.ends_with(".ron") => p.trim_start_matches('/').to_string(),
        Some(name) => format!("levels/{name}.ron"),
    }
}

/// The levels bundled beside the page, as (file name, exhibition title), from the page's
/// `<meta name="vernissage-levels" content="a.ron|Title;…">` (written by web/build.sh).
pub fn bundled_levels() -> Vec<(String, String)> {
    let content = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector("meta[name=\"vernissage-levels\"]")
                .ok()
                .flatten()
        })
        .and_then(|meta| meta.get_attribute("content"))
        .unwrap_or_default();
    crate::ui::picker::parse_bundled(&content)
}

/// Marks the page's state (`data-state` on `<body>`): the page hides its loading bar on
/// `running` and shows an error panel on `error`.
fn set_page_state(state: &str) {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-state", state);
    }
}

/// Shows an error panel on the page (the element with id `problem`, made by index.html).
pub fn show_on_page(title: &str, detail: &str) {
    set_page_state("error");
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(panel) = document.get_element_by_id("problem") {
        let text = format!("{title}\n\n{detail}");
        if let Ok(element) = panel.dyn_into::<web_sys::HtmlElement>() {
            element.set_inner_text(&text);
        }
    }
}

/// The generative algorithms' fingerprints, for the browser test to compare with the desktop's.
fn log_fingerprints() {
    info!("{}", crate::gallery::generative::fingerprint_line());
}

/// A line at the top of the view for storage problems.
#[derive(Component)]
struct StorageWarningLine;

fn spawn_warning_line(mut commands: Commands) {
    commands.spawn((
        Name::new("Storage warnings"),
        Text::new(""),
        TextFont::from_font_size(15.0),
        TextColor(Color::srgb(1.0, 0.85, 0.55)),
        Node {
            position_type: PositionType::Absolute,
            top: px(10),
            left: px(16),
            right: px(16),
            ..default()
        },
        StorageWarningLine,
        DespawnOnExit(Screen::Gallery),
    ));
}

fn show_storage_warnings(
    mut lines: Query<&mut Text, With<StorageWarningLine>>,
    mut kept: Local<Vec<String>>,
) {
    for w in storage::take_warnings() {
        if !kept.contains(&w) {
            warn!("{w}");
            kept.push(w);
        }
    }
    let text = kept.join("\n");
    for mut line in &mut lines {
        if line.0 != text {
            line.0 = text.clone();
        }
    }
}
