//! The title screen's level picker: this exhibition, the levels on this computer, recently
//! opened addresses and a field for a new one; choosing one walks into it.

use bevy::prelude::*;
use bevy_egui::{
    EguiContext, EguiContexts, EguiPrimaryContextPass, EguiSchedule, PrimaryEguiContext, egui,
};

use super::catalogue::{ACCENT, INK, INK_SOFT, MUTED, WARNING, card_frame, panel_frame};
use crate::launch::{Launch, LevelLocation};
use crate::net::Recent;
use crate::player::input::EyeCamera;
use crate::screens::{Screen, ScreenCamera};

pub(super) fn plugin(app: &mut App) {
    // The folder whose levels are listed: where the game started (the title screen's first
    // OnEnter runs before Startup, so it is read here).
    #[cfg(not(target_arch = "wasm32"))]
    let root = match app.world().get_resource::<Launch>().map(|l| &l.level) {
        Some(LevelLocation::File { root, .. }) => Some(root.clone()),
        _ => None,
    };
    // In the browser: the levels bundled beside the page (their root is the page's folder).
    #[cfg(target_arch = "wasm32")]
    let root = match app.world().get_resource::<Launch>().map(|l| &l.level) {
        Some(LevelLocation::File { root, .. }) if root == "." => Some(root.clone()),
        _ => None,
    };
    app.insert_resource(Picker { root, ..default() })
        .add_systems(OnEnter(Screen::Title), (list_local_levels, reset_field))
        .add_systems(
            Update,
            (attach_title_context, walk_in_on_enter).run_if(in_state(Screen::Title)),
        )
        .add_systems(
            EguiPrimaryContextPass,
            show_picker.run_if(in_state(Screen::Title)),
        );
}

/// A level file found on this computer.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalLevel {
    /// Path inside the exhibition root (`levels/show.ron`).
    pub level: String,
    /// The exhibition's title, or why it cannot be read.
    pub title: String,
    pub readable: bool,
}

#[derive(Resource, Debug, Default)]
pub struct Picker {
    /// The exhibition root the game started in (levels there are listed); none in the browser
    /// or when started from a URL.
    root: Option<String>,
    local: Vec<LocalLevel>,
    address: String,
    /// Why the typed address cannot be opened.
    problem: Option<String>,
}

/// The `.ron` files in `<root>/levels/`, each with its exhibition's title (pure file reading).
pub fn local_levels(root: &std::path::Path) -> Vec<LocalLevel> {
    let Ok(entries) = std::fs::read_dir(root.join("levels")) else {
        return Vec::new();
    };
    let mut found: Vec<LocalLevel> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .filter_map(|path| {
            let name = path.file_name()?.to_string_lossy().into_owned();
            let (title, readable) = match std::fs::read(&path) {
                Err(e) => (format!("cannot be read: {e}"), false),
                Ok(bytes) => match crate::level::parse(&bytes) {
                    Ok(level) => (level.exhibition.title, true),
                    Err(report) => (
                        report
                            .diagnostics
                            .first()
                            .map_or("has errors".into(), |d| format!("has errors ({d})")),
                        false,
                    ),
                },
            };
            Some(LocalLevel {
                level: format!("levels/{name}"),
                title,
                readable,
            })
        })
        .collect();
    found.sort_by(|a, b| a.level.cmp(&b.level));
    found
}

/// `a.ron|Title;b.ron|Other` (the browser page's list of bundled levels) as (file, title)
/// pairs; entries that are not a plain `.ron` file name are left out.
pub fn parse_bundled(content: &str) -> Vec<(String, String)> {
    content
        .split(';')
        .filter_map(|entry| {
            let (file, title) = entry.split_once('|')?;
            let file = file.trim();
            (file.ends_with(".ron") && !file.contains('/') && !file.contains(".."))
                .then(|| (file.to_string(), title.trim().to_string()))
        })
        .collect()
}

fn list_local_levels(mut picker: ResMut<Picker>) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        picker.local = picker
            .root
            .as_ref()
            .map(|root| local_levels(std::path::Path::new(root)))
            .unwrap_or_default();
    }
    #[cfg(target_arch = "wasm32")]
    {
        picker.local = crate::web::bundled_levels()
            .into_iter()
            .map(|(file, title)| LocalLevel {
                level: format!("levels/{file}"),
                readable: true,
                title: if title.is_empty() { file } else { title },
            })
            .collect();
    }
}

fn reset_field(mut picker: ResMut<Picker>) {
    picker.problem = None;
}

/// The title screen draws its panel on its own camera; the gallery's eye camera gives the
/// panel context back when the gallery opens (see `catalogue::attach_panel_context`).
fn attach_title_context(
    mut commands: Commands,
    cameras: Query<(Entity, &ScreenCamera), Without<PrimaryEguiContext>>,
    eyes: Query<Entity, (With<EyeCamera>, With<PrimaryEguiContext>)>,
) {
    for (entity, screen) in &cameras {
        if screen.0 == Screen::Title {
            for eye in &eyes {
                // The whole context goes: two contexts may not share the primary schedule.
                commands
                    .entity(eye)
                    .remove::<(PrimaryEguiContext, EguiSchedule, EguiContext)>();
            }
            commands.entity(entity).insert(PrimaryEguiContext);
        }
    }
}

fn walk_in_on_enter(
    keys: Res<ButtonInput<KeyCode>>,
    mut contexts: EguiContexts,
    mut next: ResMut<NextState<Screen>>,
) {
    // Enter in the address field opens the address, not this exhibition.
    let typing = contexts
        .ctx_mut()
        .is_ok_and(|ctx| ctx.memory(|m| m.focused().is_some()));
    if !typing && keys.just_pressed(KeyCode::Enter) {
        next.set(Screen::Loading);
    }
}

fn show_picker(
    mut commands: Commands,
    mut contexts: EguiContexts,
    launch: Res<Launch>,
    mut picker: ResMut<Picker>,
    mut recent: ResMut<Recent>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    // A context that just moved to the title camera has no fonts until its first pass ends.
    if ctx.cumulative_pass_nr() == 0 {
        return Ok(());
    }
    let mut choice: Option<LevelLocation> = None;
    let mut forget: Option<String> = None;
    let current = launch.level.clone();
    let screen = ctx.content_rect();
    ctx.layer_painter(egui::LayerId::background()).rect_filled(
        screen,
        0.0,
        egui::Color32::from_rgb(18, 17, 15),
    );
    let width = 620.0_f32.min(screen.width() - 48.0);
    egui::Area::new(egui::Id::new("level picker"))
        .anchor(
            egui::Align2::CENTER_TOP,
            [0.0, (screen.height() * 0.06).min(48.0)],
        )
        .show(ctx, |ui| {
            ui.set_width(width);
            ui.vertical_centered(|ui| {
                ui.label(egui::RichText::new("Vernissage").size(60.0).color(INK));
                ui.label(
                    egui::RichText::new("Walk an exhibition: choose one, or open one by address")
                        .color(MUTED),
                );
                ui.add_space(14.0);
            });
            panel_frame().show(ui, |ui| {
                ui.set_width(width - 32.0);
                egui::ScrollArea::vertical()
                    .max_height((screen.height() - 260.0).max(160.0))
                    .show(ui, |ui| {
                        choice = picker_contents(ui, &current, &mut picker, &recent.0, &mut forget);
                    });
            });
            ui.add_space(10.0);
            ui.vertical_centered(|ui| {
                ui.label(
                    egui::RichText::new("Enter: walk into the highlighted exhibition")
                        .color(MUTED)
                        .text_style(egui::TextStyle::Small),
                );
            });
        });
    if let Some(url) = forget {
        recent.0.forget(&url);
        #[cfg(not(target_arch = "wasm32"))]
        let root = crate::launch::data_root(launch.data_dir.as_deref());
        #[cfg(target_arch = "wasm32")]
        let root: Option<std::path::PathBuf> = None;
        if let Err(e) = crate::net::recent::save(root.as_deref(), &recent.0) {
            warn!("the list of recent exhibitions could not be saved: {e}");
        }
    }
    if let Some(level) = choice {
        commands.queue(move |world: &mut World| crate::gallery::open_level(world, level));
    }
    Ok(())
}

fn section(ui: &mut egui::Ui, title: &str) {
    ui.add_space(8.0);
    ui.label(egui::RichText::new(title).color(ACCENT).strong());
}

/// One row: a button-like card with a title and a muted second line; true when clicked.
fn row(ui: &mut egui::Ui, title: &str, detail: &str, highlighted: bool, enabled: bool) -> bool {
    let frame = if highlighted {
        card_frame().stroke(egui::Stroke::new(1.5, ACCENT))
    } else {
        card_frame()
    };
    let response = frame
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(egui::RichText::new(title).color(if enabled { INK } else { MUTED }));
            ui.label(
                egui::RichText::new(detail)
                    .text_style(egui::TextStyle::Small)
                    .color(if enabled { INK_SOFT } else { WARNING }),
            );
        })
        .response;
    let response = response.interact(egui::Sense::click());
    if enabled && response.hovered() {
        ui.ctx().set_cursor_icon(egui::CursorIcon::PointingHand);
    }
    enabled && response.clicked()
}

fn picker_contents(
    ui: &mut egui::Ui,
    current: &LevelLocation,
    picker: &mut Picker,
    recent: &crate::net::recent::RecentLevels,
    forget: &mut Option<String>,
) -> Option<LevelLocation> {
    let mut choice = None;
    section(ui, "This exhibition");
    // Its title where it is known (a level listed here, or one opened before by URL).
    let title = match current {
        LevelLocation::File { root, level } if picker.root.as_ref() == Some(root) => picker
            .local
            .iter()
            .find(|l| l.level == *level && l.readable)
            .map(|l| l.title.clone()),
        LevelLocation::Url(url) => recent
            .levels
            .iter()
            .find(|r| r.url == *url)
            .map(|r| r.title.clone()),
        LevelLocation::File { .. } => None,
    };
    let detail = match &title {
        Some(_) => format!("{}  ·  Enter or click to walk in", current.label()),
        None => "Enter or click to walk in".to_string(),
    };
    if row(
        ui,
        title.as_deref().unwrap_or(&current.label()),
        &detail,
        true,
        true,
    ) {
        choice = Some(current.clone());
    }
    if let Some(root) = picker.root.clone() {
        let others: Vec<&LocalLevel> = picker
            .local
            .iter()
            .filter(|l| {
                *current
                    != LevelLocation::File {
                        root: root.clone(),
                        level: l.level.clone(),
                    }
            })
            .collect();
        if !others.is_empty() {
            section(
                ui,
                if cfg!(target_arch = "wasm32") {
                    "More exhibitions here"
                } else {
                    "On this computer"
                },
            );
            for level in others {
                if row(ui, &level.title, &level.level, false, level.readable) {
                    choice = Some(LevelLocation::File {
                        root: root.clone(),
                        level: level.level.clone(),
                    });
                }
            }
        }
    }
    let recent: Vec<_> = recent
        .levels
        .iter()
        .filter(|r| LevelLocation::Url(r.url.clone()) != *current)
        .collect();
    if !recent.is_empty() {
        section(ui, "Recently opened");
        for level in recent {
            ui.horizontal(|ui| {
                let forget_width = 86.0;
                ui.allocate_ui_with_layout(
                    egui::vec2(ui.available_width() - forget_width, 0.0),
                    egui::Layout::top_down(egui::Align::Min),
                    |ui| {
                        if row(ui, &level.title, &level.url, false, true) {
                            choice = Some(LevelLocation::Url(level.url.clone()));
                        }
                    },
                );
                if ui.button("Forget").clicked() {
                    *forget = Some(level.url.clone());
                }
            });
        }
    }
    section(ui, "Open by address");
    let mut submit = false;
    ui.horizontal(|ui| {
        let field = ui.add(
            egui::TextEdit::singleline(&mut picker.address)
                .hint_text("https://example.org/show/levels/show.ron")
                .desired_width(ui.available_width() - 80.0),
        );
        if field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            submit = true;
        }
        if field.changed() {
            picker.problem = None;
        }
        submit |= ui.button("Open").clicked();
    });
    if submit && !picker.address.trim().is_empty() {
        match crate::net::policy::parse_url(&picker.address) {
            Ok(url) => choice = Some(LevelLocation::Url(url.to_string())),
            Err(e) => picker.problem = Some(e.failure.to_string()),
        }
    }
    if let Some(problem) = &picker.problem {
        ui.colored_label(WARNING, problem);
    }
    choice
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pages_bundled_levels_are_read_from_its_list() {
        assert_eq!(
            parse_bundled("default.ron|Slow Light;small.ron|Small Hours"),
            vec![
                ("default.ron".to_string(), "Slow Light".to_string()),
                ("small.ron".to_string(), "Small Hours".to_string())
            ]
        );
        assert!(parse_bundled("").is_empty());
        assert!(parse_bundled("../x.ron|X;a/b.ron|Y;notes.txt|Z;nobar.ron").is_empty());
    }

    #[test]
    fn local_levels_are_the_ron_files_with_their_titles() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let levels = local_levels(root);
        let default = levels
            .iter()
            .find(|l| l.level == "levels/default.ron")
            .expect("levels/default.ron is listed");
        assert!(default.readable);
        assert!(!default.title.is_empty());
        assert!(levels.iter().all(|l| l.level.ends_with(".ron")));
        let dir = std::env::temp_dir().join(format!("vernissage-picker-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("levels")).unwrap();
        std::fs::write(dir.join("levels/broken.ron"), "Level(").unwrap();
        let found = local_levels(&dir);
        assert_eq!(found.len(), 1);
        assert!(!found[0].readable);
        assert!(found[0].title.contains("has errors"), "{}", found[0].title);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
