//! The catalogue panel (every work, searchable by title or artist, one Enter away from standing
//! in front of it), and what the gallery's egui panels share: their context and their look.

use std::sync::Arc;

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, PrimaryEguiContext, egui};

use crate::gallery::ActiveLevel;
use crate::level::Level;
use crate::level::schema::Work;
use crate::player::input::EyeCamera;
use crate::player::keys::{key_code, key_name};
use crate::player::teleport::TeleportRequest;
use crate::player::{LocalVisitor, VisitorSettings};
use crate::screens::Panel;

pub(super) fn plugin(app: &mut App) {
    super::open_panel_with(app, "catalogue", |k| &k.catalogue, Panel::Catalogue);
    app.init_resource::<CatalogueState>()
        .add_systems(
            Update,
            attach_panel_context.run_if(not(in_state(crate::screens::Screen::Title))),
        )
        .add_systems(OnEnter(Panel::Catalogue), prepare_catalogue)
        .add_systems(
            EguiPrimaryContextPass,
            (
                style_panels,
                show_catalogue.run_if(in_state(Panel::Catalogue)),
            )
                .chain(),
        );
}

// ---------------------------------------------------------------------------------------------
// The look the panels share: a dark, warm, translucent card over a dimmed gallery.

/// Warm off-white for titles and values.
pub(super) const INK: egui::Color32 = egui::Color32::from_rgb(242, 237, 226);
/// Body text: a little softer than [`INK`], still well over 10:1 on the panel.
pub(super) const INK_SOFT: egui::Color32 = egui::Color32::from_rgb(222, 215, 202);
/// Secondary text (artist, room, hints).
pub(super) const MUTED: egui::Color32 = egui::Color32::from_rgb(178, 170, 156);
/// Brass, for the selection, focus and things waiting on the visitor.
pub(super) const ACCENT: egui::Color32 = egui::Color32::from_rgb(218, 186, 128);
/// A refusal the visitor should read.
pub(super) const WARNING: egui::Color32 = egui::Color32::from_rgb(244, 160, 128);
/// Recessed areas inside the panel (the details box, key caps).
pub(super) const INSET: egui::Color32 = egui::Color32::from_rgb(30, 28, 25);
const PANEL_FILL: egui::Color32 = egui::Color32::from_rgba_premultiplied(15, 14, 12, 246);
const EDGE: egui::Color32 = egui::Color32::from_rgb(74, 66, 54);

/// The card a panel is drawn on.
pub(super) fn panel_frame() -> egui::Frame {
    egui::Frame::new()
        .fill(PANEL_FILL)
        .stroke(egui::Stroke::new(1.0, EDGE))
        .corner_radius(12)
        .inner_margin(egui::Margin::symmetric(26, 20))
        .shadow(egui::Shadow {
            offset: [0, 10],
            blur: 32,
            spread: 0,
            color: egui::Color32::from_black_alpha(120),
        })
}

/// A card inside a panel (a comment, a payee list, a certificate's checks): darker than the
/// panel, rounded, padded.
pub(super) fn card_frame() -> egui::Frame {
    egui::Frame::new()
        .fill(INSET)
        .corner_radius(6)
        .inner_margin(egui::Margin::symmetric(12, 8))
}

/// Screen height kept clear at the bottom for the HUD's two lines, which draw over egui.
pub(super) const HUD_CLEARANCE: f32 = 64.0;

/// A panel's window: centred above the HUD, fixed, without egui's title bar (panels draw their
/// own heading). `width` is that of the contents; call `ui.set_width(width)` inside.
pub(super) fn panel_window(id: &'static str, width: f32) -> egui::Window<'static> {
    egui::Window::new(id)
        .title_bar(false)
        .collapsible(false)
        .resizable(false)
        .movable(false)
        .anchor(egui::Align2::CENTER_CENTER, [0.0, -HUD_CLEARANCE / 2.0])
        .min_width(width)
        .max_width(width)
        .frame(panel_frame())
}

/// Dims the gallery behind an open panel, so the panel reads calmly over any wall.
pub(super) fn dim_gallery(ctx: &egui::Context) {
    ctx.layer_painter(egui::LayerId::background()).rect_filled(
        ctx.content_rect(),
        0.0,
        egui::Color32::from_black_alpha(110),
    );
}

/// A panel's heading line with a Close button on the right; true when Close was pressed.
pub(super) fn panel_heading(ui: &mut egui::Ui, title: &str, subtitle: &str) -> bool {
    let mut close = false;
    ui.horizontal(|ui| {
        ui.label(
            egui::RichText::new(title)
                .text_style(egui::TextStyle::Heading)
                .color(INK),
        );
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            close = ui.button("Close").clicked();
        });
    });
    if !subtitle.is_empty() {
        ui.label(egui::RichText::new(subtitle).color(MUTED));
    }
    ui.add_space(6.0);
    close
}

/// Small grey guidance at the foot of a panel.
pub(super) fn panel_hint(ui: &mut egui::Ui, text: &str) {
    ui.label(
        egui::RichText::new(text)
            .text_style(egui::TextStyle::Small)
            .color(MUTED),
    );
}

/// The panels live on the eye camera's egui context, made here rather than by bevy_egui's
/// "first camera" guess, so a later 2D camera cannot take it away. (The title screen borrows
/// the context for its level picker; it comes back here when the title screen closes.)
fn attach_panel_context(
    mut commands: Commands,
    eyes: Query<Entity, (With<EyeCamera>, Without<PrimaryEguiContext>)>,
) {
    for eye in &eyes {
        commands.entity(eye).insert(PrimaryEguiContext);
    }
}

/// The panels' faces: Ubuntu Light for text, Hack for figures and ids (and the arrows Ubuntu
/// lacks), Noto Emoji for the emoji visitors type into comments. egui's own default set adds a fourth, icon font, that
/// none of our panels uses: leaving it out keeps 160 KB (gzipped) off the browser download.
/// The faces are the ones the in-world typesetter reads too, so they are in the binary once.
pub fn panel_fonts() -> egui::FontDefinitions {
    use egui::{FontData, FontFamily, FontTweak};
    use std::sync::Arc;
    let mut fonts = egui::FontDefinitions::empty();
    let faces = [
        ("Ubuntu-Light", epaint_default_fonts::UBUNTU_LIGHT, 1.0),
        ("Hack", epaint_default_fonts::HACK_REGULAR, 1.0),
        // egui's own tweak: Noto's emoji are drawn large for their advance.
        (
            "NotoEmoji-Regular",
            epaint_default_fonts::NOTO_EMOJI_REGULAR,
            0.81,
        ),
    ];
    for (name, bytes, scale) in faces {
        fonts.font_data.insert(
            name.to_owned(),
            Arc::new(FontData::from_static(bytes).tweak(FontTweak {
                scale,
                ..Default::default()
            })),
        );
    }
    let family = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect();
    fonts.families.insert(
        FontFamily::Proportional,
        // Hack last: arrows and box drawing that the other two lack.
        family(&["Ubuntu-Light", "NotoEmoji-Regular", "Hack"]),
    );
    fonts.families.insert(
        FontFamily::Monospace,
        // Ubuntu covers the maths and arrows Hack lacks.
        family(&["Hack", "Ubuntu-Light", "NotoEmoji-Regular"]),
    );
    fonts
}

/// Sizes and colours for every panel, set on the context when it appears.
fn style_panels(mut contexts: EguiContexts, new: Query<(), Added<PrimaryEguiContext>>) {
    if new.is_empty() {
        return;
    }
    let Ok(ctx) = contexts.ctx_mut() else {
        return;
    };
    ctx.set_fonts(panel_fonts());
    ctx.all_styles_mut(|style| {
        use egui::{FontId, Stroke, TextStyle};
        style.text_styles = [
            (TextStyle::Heading, FontId::proportional(27.0)),
            (TextStyle::Body, FontId::proportional(17.0)),
            (TextStyle::Button, FontId::proportional(16.5)),
            (TextStyle::Small, FontId::proportional(14.0)),
            (TextStyle::Monospace, FontId::monospace(15.0)),
        ]
        .into();
        style.spacing.item_spacing = egui::vec2(10.0, 8.0);
        style.spacing.button_padding = egui::vec2(12.0, 5.0);
        style.spacing.interact_size.y = 30.0;
        style.spacing.slider_width = 210.0;
        style.spacing.icon_width = 18.0;
        style.spacing.icon_width_inner = 10.0;
        // Scroll bars that are faintly there at rest, so a long list says it is long.
        style.spacing.scroll = egui::style::ScrollStyle {
            floating_width: 4.0,
            floating_allocated_width: 12.0,
            dormant_handle_opacity: 0.35,
            ..egui::style::ScrollStyle::floating()
        };

        let mut v = egui::Visuals::dark();
        v.window_fill = PANEL_FILL;
        v.window_stroke = Stroke::new(1.0, EDGE);
        v.panel_fill = PANEL_FILL;
        v.extreme_bg_color = egui::Color32::from_rgb(12, 11, 10);
        v.text_edit_bg_color = Some(egui::Color32::from_rgb(10, 9, 8));
        v.faint_bg_color = INSET;
        v.warn_fg_color = WARNING;
        v.error_fg_color = WARNING;
        v.hyperlink_color = ACCENT;
        v.selection.bg_fill = egui::Color32::from_rgb(92, 76, 48);
        v.selection.stroke = Stroke::new(1.0, INK);
        let w = &mut v.widgets;
        w.noninteractive.fg_stroke = Stroke::new(1.0, INK_SOFT);
        w.noninteractive.bg_stroke = Stroke::new(1.0, EDGE);
        for (visuals, fill) in [
            (&mut w.inactive, egui::Color32::from_rgb(44, 41, 36)),
            (&mut w.hovered, egui::Color32::from_rgb(62, 56, 47)),
            (&mut w.active, egui::Color32::from_rgb(74, 65, 51)),
        ] {
            visuals.bg_fill = fill;
            visuals.weak_bg_fill = fill;
            visuals.fg_stroke = Stroke::new(1.5, INK);
            visuals.corner_radius = 6.into();
        }
        w.inactive.bg_stroke = Stroke::new(1.0, EDGE);
        w.hovered.bg_stroke = Stroke::new(1.0, ACCENT.gamma_multiply(0.7));
        // `active` is also how egui shows keyboard focus: make it unmistakable.
        w.active.bg_stroke = Stroke::new(2.0, ACCENT);
        w.active.expansion = 1.0;
        style.visuals = v;
    });
}

/// Whether a key (by name, as in the settings file) edits text, so that it must reach a
/// focused text field rather than close the panel.
pub fn edits_text(key: &str) -> bool {
    let canonical = key_code(key).and_then(key_name).unwrap_or(key);
    let letter = canonical.len() == 4 && canonical.starts_with("Key");
    letter
        || canonical.starts_with("Digit")
        || matches!(
            canonical,
            "Space"
                | "Backspace"
                | "Enter"
                | "Tab"
                | "ArrowLeft"
                | "ArrowRight"
                | "ArrowUp"
                | "ArrowDown"
                | "Home"
                | "End"
        )
}

/// For headless-style screenshots only: `VERNISSAGE_OPEN_PANEL=catalogue` (or `settings`)
/// opens that panel as the gallery opens, so `--screenshot` runs can show the panels.
pub(super) fn panel_requested_at_launch(panel: &str) -> bool {
    std::env::var("VERNISSAGE_OPEN_PANEL").is_ok_and(|v| v.trim().eq_ignore_ascii_case(panel))
}

// ---------------------------------------------------------------------------------------------
// The catalogue.

/// Search text and selection; kept between openings (the query is cleared on opening).
#[derive(Resource, Debug, Default)]
struct CatalogueState {
    query: String,
    /// Index into the level's works.
    selected: Option<usize>,
    focus_search: bool,
    scroll_to_selected: bool,
}

/// Rows moved by Page Up / Page Down.
const PAGE_ROWS: isize = 8;

fn search_id() -> egui::Id {
    egui::Id::new("catalogue-search")
}

fn prepare_catalogue(mut state: ResMut<CatalogueState>) {
    state.query.clear();
    state.focus_search = true;
    state.scroll_to_selected = true;
}

fn show_catalogue(
    mut contexts: EguiContexts,
    keys: Res<ButtonInput<KeyCode>>,
    settings: Res<VisitorSettings>,
    level: Option<Res<ActiveLevel>>,
    mut state: ResMut<CatalogueState>,
    visitors: Query<Entity, With<LocalVisitor>>,
    mut teleports: MessageWriter<TeleportRequest>,
    mut next: ResMut<NextState<Panel>>,
) {
    let Ok(ctx) = contexts.ctx_mut() else {
        return;
    };
    let Some(level) = level.map(|l| Arc::clone(&l.0)) else {
        next.set(Panel::Closed);
        return;
    };

    // Esc always closes; the catalogue's own key only when it would not be typing.
    let own_key = &settings.keys.catalogue;
    let typing = ctx.memory(|m| m.has_focus(search_id())) && edits_text(own_key);
    if keys.just_pressed(KeyCode::Escape)
        || (!typing && key_code(own_key).is_some_and(|k| keys.just_pressed(k)))
    {
        next.set(Panel::Closed);
        return;
    }

    // Keys that move and choose are taken before the search field can see them.
    let mut matches = matching_works(&level, &state.query);
    state.selected = reconcile_selection(&matches, state.selected);
    let (step, enter) = ctx.input_mut(|i| {
        let none = egui::Modifiers::NONE;
        let count = |i: &mut egui::InputState, key| i.count_and_consume_key(none, key) as isize;
        let step = count(i, egui::Key::ArrowDown) - count(i, egui::Key::ArrowUp)
            + PAGE_ROWS * (count(i, egui::Key::PageDown) - count(i, egui::Key::PageUp));
        (step, i.consume_key(none, egui::Key::Enter))
    });
    if step != 0 {
        state.selected = move_selection(&matches, state.selected, step);
        state.scroll_to_selected = true;
    }
    let mut chosen = if enter { state.selected } else { None };

    dim_gallery(ctx);
    let screen = ctx.content_rect();
    let width = (screen.width() - 100.0).clamp(260.0, 720.0);
    let list_height = (screen.height() - 480.0).clamp(110.0, 330.0);
    let state = &mut *state;
    let mut close = false;
    panel_window("Catalogue", width).show(ctx, |ui| {
        ui.set_width(width);
        close = panel_heading(ui, "Catalogue", &level.exhibition.title);

        let search = ui.add(
            egui::TextEdit::singleline(&mut state.query)
                .id(search_id())
                .hint_text("Search by title or artist")
                .font(egui::TextStyle::Body)
                .margin(egui::Margin::symmetric(10, 7))
                .desired_width(f32::INFINITY),
        );
        // Asked for until it holds: a window's first frame only measures its contents.
        if state.focus_search {
            if ui.memory(|m| m.has_focus(search_id())) {
                state.focus_search = false;
            } else {
                search.request_focus();
            }
        }
        if search.changed() {
            matches = matching_works(&level, &state.query);
            state.selected = reconcile_selection(&matches, state.selected);
            state.scroll_to_selected = true;
        }

        let total = level.works.len();
        let count = if matches.len() == total {
            format!("{total} works")
        } else {
            format!("{} of {total} works", matches.len())
        };
        panel_hint(ui, &count);

        egui::ScrollArea::vertical()
            .id_salt("catalogue-list")
            .max_height(list_height)
            .min_scrolled_height(list_height)
            .auto_shrink([false, false])
            .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysVisible)
            .show(ui, |ui| {
                ui.spacing_mut().item_spacing.y = 2.0;
                if matches.is_empty() {
                    ui.add_space(24.0);
                    ui.vertical_centered(|ui| {
                        ui.label(
                            egui::RichText::new(format!(
                                "No title or artist matches \u{201c}{}\u{201d}.",
                                state.query.trim()
                            ))
                            .color(MUTED),
                        );
                    });
                }
                for &index in &matches {
                    let work = &level.works[index];
                    let selected = state.selected == Some(index);
                    let row = ui.add(work_row(ui, &level, work, selected));
                    if row.clicked() {
                        chosen = Some(index);
                    }
                    if selected && state.scroll_to_selected {
                        row.scroll_to_me(None);
                    }
                }
            });
        state.scroll_to_selected = false;

        ui.add_space(8.0);
        let selected = state.selected.and_then(|i| level.works.get(i));
        show_details(ui, &level, selected);
        ui.add_space(6.0);
        panel_hint(
            ui,
            "Up / Down: choose    Enter or click: go to the work    Esc: close",
        );
    });

    if let Some(index) = chosen.filter(|i| matches.contains(i)) {
        if let Ok(visitor) = visitors.single() {
            teleports.write(TeleportRequest {
                visitor,
                work: level.works[index].id.clone(),
            });
        }
        state.selected = Some(index);
        next.set(Panel::Closed);
    } else if close {
        next.set(Panel::Closed);
    }
}

/// One line of the list: "Title -- Artist, year" on the left, "kind . room" on the right.
/// Rows take clicks but not Tab focus: the keyboard way is the search field's arrows and Enter,
/// and Tab should not have to walk the whole show to reach Close.
fn work_row<'a>(ui: &egui::Ui, level: &Level, work: &Work, selected: bool) -> egui::Button<'a> {
    let body = egui::TextStyle::Body.resolve(ui.style());
    let small = egui::TextStyle::Small.resolve(ui.style());
    let mut line = egui::text::LayoutJob::default();
    let format = |font: &egui::FontId, color| egui::TextFormat::simple(font.clone(), color);
    line.append(&work.title, 0.0, format(&body, INK));
    line.append(
        &format!("  \u{2014}  {}, {}", work.artist, year_label(work.year)),
        0.0,
        format(&body, MUTED),
    );
    let place = format!(
        "{}  \u{b7}  {}",
        work.kind.name(),
        room_name(level, work.placement.room())
    );
    egui::Button::selectable(selected, line)
        .right_text(egui::RichText::new(place).font(small).color(MUTED))
        .truncate()
        .sense(egui::Sense::CLICK)
        .min_size(egui::vec2(ui.available_width(), 34.0))
}

/// The chosen work, told in words: what the picture shows, for everyone.
fn show_details(ui: &mut egui::Ui, level: &Level, work: Option<&Work>) {
    egui::Frame::new()
        .fill(INSET)
        .corner_radius(8)
        .inner_margin(egui::Margin::symmetric(16, 12))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.set_min_height(128.0);
            let Some(work) = work else {
                ui.label(egui::RichText::new("No work chosen.").color(MUTED));
                return;
            };
            ui.spacing_mut().item_spacing.y = 4.0;
            ui.label(egui::RichText::new(&work.title).size(20.0).color(INK));
            ui.label(
                egui::RichText::new(format!(
                    "{}, {}  \u{b7}  {}  \u{b7}  {}",
                    work.artist,
                    year_label(work.year),
                    work.medium,
                    room_name(level, work.placement.room())
                ))
                .color(MUTED),
            );
            ui.add_space(4.0);
            egui::ScrollArea::vertical()
                .id_salt("catalogue-alt-text")
                .max_height(96.0)
                .auto_shrink([false, true])
                .show(ui, |ui| {
                    ui.label(
                        egui::RichText::new(&work.alt_text)
                            .size(17.5)
                            .color(INK_SOFT),
                    );
                });
        });
}

// ---------------------------------------------------------------------------------------------
// Pure logic: searching and moving the selection.

/// Works whose title or artist holds every word of `query` (case- and accent-insensitive), as
/// indices into `level.works`, in the level's order. An empty query matches every work.
pub fn matching_works(level: &Level, query: &str) -> Vec<usize> {
    let folded = fold(query);
    let terms: Vec<&str> = folded.split_whitespace().collect();
    level
        .works
        .iter()
        .enumerate()
        .filter(|(_, work)| {
            if terms.is_empty() {
                return true;
            }
            let title = fold(&work.title);
            let artist = fold(&work.artist);
            terms
                .iter()
                .all(|term| title.contains(term) || artist.contains(term))
        })
        .map(|(index, _)| index)
        .collect()
}

/// Keeps `selected` when it is still among `matches`, else picks the first match.
pub fn reconcile_selection(matches: &[usize], selected: Option<usize>) -> Option<usize> {
    match selected {
        Some(s) if matches.contains(&s) => Some(s),
        _ => matches.first().copied(),
    }
}

/// Moves the selection `step` rows through `matches` (negative: up), stopping at the ends.
/// Without a selection, moving down starts at the top and moving up at the bottom.
pub fn move_selection(matches: &[usize], selected: Option<usize>, step: isize) -> Option<usize> {
    let last = matches.len().checked_sub(1)? as isize;
    let target = match selected.and_then(|s| matches.iter().position(|&m| m == s)) {
        Some(at) => (at as isize + step).clamp(0, last),
        None if step < 0 => last,
        None => 0,
    };
    matches.get(target as usize).copied()
}

/// Lower case without accents, so "tomas" finds "Tomás" and "DVORAK" finds "Dvořák".
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            // Combining marks of decomposed text.
            '\u{300}'..='\u{36f}' => {}
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'þ' => out.push_str("th"),
            c => out.push(base_letter(c)),
        }
    }
    out
}

fn base_letter(c: char) -> char {
    match c {
        'à'..='å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
        'ď' | 'đ' | 'ð' => 'd',
        'è'..='ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
        'ĥ' | 'ħ' => 'h',
        'ì'..='ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => 'i',
        'ĵ' => 'j',
        'ķ' => 'k',
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => 'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
        'ò'..='ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => 'o',
        'ŕ' | 'ŗ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => 's',
        'ţ' | 'ť' | 'ŧ' | 'ț' => 't',
        'ù'..='ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
        'ŵ' => 'w',
        'ý' | 'ÿ' | 'ŷ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        other => other,
    }
}

/// A room's display name (its id when it has none).
pub fn room_name<'a>(level: &'a Level, id: &'a str) -> &'a str {
    level
        .rooms
        .iter()
        .find(|r| r.id == id && !r.name.trim().is_empty())
        .map_or(id, |r| r.name.as_str())
}

/// A year as a label reads it: `1998`, `350 BCE`.
pub fn year_label(year: i32) -> String {
    if year < 0 {
        format!("{} BCE", year.unsigned_abs())
    } else {
        year.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panel_fonts_cover_what_the_panels_and_visitors_write() {
        use ab_glyph::{Font, FontRef};
        let fonts = panel_fonts();
        for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
            let names = &fonts.families[&family];
            assert!(!names.is_empty(), "{family:?} has no face");
            // The dashes, signs and symbols the panels print, accented names, and an emoji
            // from a visitor's comment: each must be drawn by some face of the family.
            for c in "Aa9 — – × … · ° → é ß Ł 😀".chars().filter(|c| *c != ' ') {
                let drawn = names.iter().any(|name| {
                    let data = &fonts.font_data[name];
                    let face = FontRef::try_from_slice(&data.font).expect("a face parses");
                    face.glyph_id(c).0 != 0
                });
                assert!(drawn, "{family:?} cannot draw {c:?}");
            }
        }
    }

    fn work(id: &str, title: &str, artist: &str) -> String {
        format!(
            r#"(id: "{id}", title: "{title}", artist: "{artist}", year: 2001, medium: "oil",
               description: "", alt_text: "", license: "CC0", kind: Image(path: "a.png"),
               placement: Wall(room: "hall", wall: North, offset: 1.0), size: (1.0, 1.0),
               price: 1, editions: 1, royalties: [])"#
        )
    }

    fn level(works: &[(&str, &str, &str)]) -> Level {
        let works: Vec<String> = works.iter().map(|(i, t, a)| work(i, t, a)).collect();
        let text = format!(
            r#"(format: 1, exhibition: (id: "t", title: "T", curator: "C"),
               rooms: [(id: "hall", name: "Entrance Hall", origin: (0.0, 0.0), size: (8.0, 8.0))],
               spawn: (room: "hall", position: (4.0, 4.0)), works: [{}])"#,
            works.join(",")
        );
        ron::from_str(&text).expect("test level parses")
    }

    fn show() -> Level {
        level(&[
            ("lake", "Lake at First Light", "Ilse Varga"),
            ("erg", "Erg, Nineteen Minutes Before Dark", "Ilse Varga"),
            ("pines", "Stand of Pines, Fog", "Tomás Achterberg"),
            ("chorus", "Small Chorus", "Oskar Ferreira"),
        ])
    }

    #[test]
    fn an_empty_query_lists_every_work_in_order() {
        assert_eq!(matching_works(&show(), ""), vec![0, 1, 2, 3]);
        assert_eq!(matching_works(&show(), "   "), vec![0, 1, 2, 3]);
    }

    #[test]
    fn search_matches_title_or_artist_ignoring_case_and_accents() {
        let show = show();
        assert_eq!(matching_works(&show, "LAKE"), vec![0]);
        assert_eq!(matching_works(&show, "varga"), vec![0, 1]);
        assert_eq!(matching_works(&show, "tomas"), vec![2]);
        assert_eq!(matching_works(&show, "Tomás"), vec![2]);
        // Decomposed accents (e + combining acute) fold the same way.
        assert_eq!(matching_works(&show, "toma\u{301}s"), vec![2]);
        // Every word must match, in the title or in the artist.
        assert_eq!(matching_works(&show, "varga dark"), vec![1]);
        assert_eq!(matching_works(&show, "chorus ferreira"), vec![3]);
        assert!(matching_works(&show, "monet").is_empty());
        assert!(
            matching_works(&show, "oil").is_empty(),
            "the medium is not searched"
        );
    }

    #[test]
    fn folding_strips_accents_and_case() {
        assert_eq!(fold("Dvořák"), "dvorak");
        assert_eq!(fold("Łódź"), "lodz");
        assert_eq!(fold("Straße Œuvre"), "strasse oeuvre");
        assert_eq!(fold("ÅNGSTRÖM"), "angstrom");
    }

    #[test]
    fn the_selection_moves_within_the_matches_and_stops_at_the_ends() {
        let matches = [3, 5, 8];
        assert_eq!(move_selection(&matches, Some(5), 1), Some(8));
        assert_eq!(move_selection(&matches, Some(5), -1), Some(3));
        assert_eq!(move_selection(&matches, Some(8), 1), Some(8));
        assert_eq!(move_selection(&matches, Some(3), -1), Some(3));
        assert_eq!(move_selection(&matches, Some(3), 8), Some(8));
        assert_eq!(move_selection(&matches, None, 1), Some(3));
        assert_eq!(move_selection(&matches, None, -1), Some(8));
        // A selection filtered out of the list starts over.
        assert_eq!(move_selection(&matches, Some(4), 1), Some(3));
        assert_eq!(move_selection(&[], Some(4), 1), None);
    }

    #[test]
    fn the_selection_survives_filtering_when_it_still_matches() {
        assert_eq!(reconcile_selection(&[1, 2], Some(2)), Some(2));
        assert_eq!(reconcile_selection(&[1, 2], Some(0)), Some(1));
        assert_eq!(reconcile_selection(&[1, 2], None), Some(1));
        assert_eq!(reconcile_selection(&[], Some(0)), None);
    }

    #[test]
    fn labels_for_rooms_and_years() {
        let show = show();
        assert_eq!(room_name(&show, "hall"), "Entrance Hall");
        assert_eq!(room_name(&show, "annex"), "annex");
        assert_eq!(year_label(1998), "1998");
        assert_eq!(year_label(-350), "350 BCE");
    }

    #[test]
    fn letter_digit_and_editing_keys_belong_to_a_focused_text_field() {
        for key in [
            "KeyC",
            "c",
            "Digit4",
            "Space",
            "Backspace",
            "ArrowLeft",
            "Enter",
        ] {
            assert!(edits_text(key), "{key}");
        }
        for key in ["F1", "Escape", "ShiftLeft", "PageUp", "ControlRight"] {
            assert!(!edits_text(key), "{key}");
        }
    }
}
