//! The leaderboard panel: the ten best-scored works, the five rising fastest since the gallery
//! opened, and three works picked for the local visitor ("For you"), each one step from
//! standing in front of it.
//!
//! Keyboard: Up / Down move through every row of the three lists, Enter goes to the chosen
//! work, Esc or the panel's key closes.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

use super::catalogue::{
    ACCENT, INK, INK_SOFT, INSET, MUTED, dim_gallery, panel_heading, panel_hint, panel_window,
};
use super::settings_panel::key_label;
use crate::feedback::{FeedbackLog, VisitorId};
use crate::gallery::ActiveLevel;
use crate::level::Level;
use crate::player::keys::key_code;
use crate::player::teleport::TeleportRequest;
use crate::player::{LocalVisitor, VisitorSettings};
use crate::scoring::game::GalleryScores;
use crate::scoring::recommend::{Recommendation, recommend};
use crate::scoring::{Scores, WorkScore};
use crate::screens::Panel;

pub(super) fn plugin(app: &mut App) {
    super::open_panel_with(app, "leaderboard", |k| &k.leaderboard, Panel::Leaderboard);
    app.init_resource::<LeaderboardState>()
        .add_systems(OnEnter(Panel::Leaderboard), prepare_leaderboard)
        .add_systems(
            EguiPrimaryContextPass,
            show_leaderboard.run_if(in_state(Panel::Leaderboard)),
        );
}

/// Works in the top list.
pub const TOP_COUNT: usize = 10;
/// Works in the rising list.
pub const RISING_COUNT: usize = 5;
/// Works recommended to the visitor.
pub const FOR_YOU_COUNT: usize = 3;
/// Increases smaller than this (stars) are not shown as rising: they would read "+0.00".
pub const MIN_RISE: f64 = 0.005;
/// Height of one row.
const ROW_HEIGHT: f32 = 30.0;

/// The selected row and the recommendations, worked out again only when something changed.
#[derive(Resource, Debug, Default)]
struct LeaderboardState {
    /// Index into the rows of all three lists, in the order they are shown.
    selected: Option<usize>,
    /// (events in the log, ratings scored, visitor) the recommendations were made for.
    made_for: Option<(usize, usize, String)>,
    for_you: Vec<Recommendation>,
}

fn prepare_leaderboard(mut state: ResMut<LeaderboardState>) {
    state.selected = Some(0);
    state.made_for = None;
}

/// What one row shows and where it leads.
struct Row<'a> {
    work: &'a str,
    /// Left: rank or sign, then the title.
    title: String,
    /// Under the title, muted.
    detail: String,
    stars: Option<f64>,
    /// Right-aligned figure.
    figure: String,
}

#[allow(clippy::too_many_arguments)]
fn show_leaderboard(
    mut contexts: EguiContexts,
    keys: Res<ButtonInput<KeyCode>>,
    settings: Res<VisitorSettings>,
    level: Option<Res<ActiveLevel>>,
    scores: Option<Res<GalleryScores>>,
    log: Res<FeedbackLog>,
    mut state: ResMut<LeaderboardState>,
    visitors: Query<(Entity, Option<&VisitorId>), With<LocalVisitor>>,
    mut teleports: MessageWriter<TeleportRequest>,
    mut next: ResMut<NextState<Panel>>,
) {
    let Ok(ctx) = contexts.ctx_mut() else {
        return;
    };
    let own_key = &settings.keys.leaderboard;
    if keys.just_pressed(KeyCode::Escape) || key_code(own_key).is_some_and(|k| keys.just_pressed(k))
    {
        next.set(Panel::Closed);
        return;
    }
    let Some(level) = level else {
        next.set(Panel::Closed);
        return;
    };
    let level: &Level = &level.0;
    let visitor = visitors.single().ok();

    // Recommendations follow the log and the scores, not every frame.
    if let (Some(scores), Some((_, Some(id)))) = (&scores, visitor) {
        let key = (log.events.len(), scores.scores.ratings, id.id.clone());
        if state.made_for.as_ref() != Some(&key) {
            state.for_you = recommend(
                scores.scorer.table(),
                &scores.scores,
                &log.events,
                &id.id,
                FOR_YOU_COUNT,
            );
            state.made_for = Some(key);
        }
    }

    let title = |work: &str| {
        level
            .works
            .iter()
            .find(|w| w.id == work)
            .map_or_else(|| work.to_string(), |w| w.title.clone())
    };
    let artist = |work: &str| {
        level
            .works
            .iter()
            .find(|w| w.id == work)
            .map_or_else(String::new, |w| w.artist.clone())
    };
    let (top, rising_rows, for_you) = match &scores {
        Some(scores) => {
            let top: Vec<Row> = top_works(&scores.scores, TOP_COUNT)
                .into_iter()
                .enumerate()
                .map(|(rank, s)| Row {
                    work: &s.work,
                    title: format!("{}.  {}", rank + 1, title(&s.work)),
                    detail: score_source(s),
                    stars: Some(s.predicted),
                    figure: format!("{:.1}", s.predicted),
                })
                .collect();
            let rising_rows: Vec<Row> = rising(&scores.scores, &scores.at_opening, RISING_COUNT)
                .into_iter()
                .map(|(work, rise)| {
                    let now = scores.scores.per_work.iter().find(|s| s.work == work);
                    Row {
                        work: now.map_or("", |s| s.work.as_str()),
                        title: title(&work),
                        detail: artist(&work),
                        stars: now.map(|s| s.predicted),
                        figure: format!("+{rise:.2}"),
                    }
                })
                .collect();
            let for_you: Vec<Row> = state
                .for_you
                .iter()
                .map(|r| Row {
                    work: &r.work,
                    title: title(&r.work),
                    detail: r.reason.clone(),
                    stars: None,
                    figure: String::new(),
                })
                .collect();
            (top, rising_rows, for_you)
        }
        None => (vec![], vec![], vec![]),
    };
    let works: Vec<String> = top
        .iter()
        .chain(&rising_rows)
        .chain(&for_you)
        .map(|r| r.work.to_string())
        .collect();

    // Keys that move and choose.
    let (step, enter) = ctx.input_mut(|i| {
        let none = egui::Modifiers::NONE;
        let count = |i: &mut egui::InputState, key| i.count_and_consume_key(none, key) as isize;
        let step = count(i, egui::Key::ArrowDown) - count(i, egui::Key::ArrowUp);
        (step, i.consume_key(none, egui::Key::Enter))
    });
    let mut selected = step_selection(works.len(), state.selected, step);
    let mut chosen = if enter { selected } else { None };

    dim_gallery(ctx);
    let screen = ctx.content_rect();
    let width = (screen.width() - 100.0).clamp(300.0, 1040.0);
    let two_columns = width >= 760.0;
    let mut close = false;
    panel_window("Leaderboard", width).show(ctx, |ui| {
        ui.set_width(width);
        close = panel_heading(ui, "Leaderboard", &level.exhibition.title);
        let Some(scores) = &scores else {
            ui.add_space(24.0);
            ui.vertical_centered(|ui| {
                ui.label(egui::RichText::new("Scores are being computed\u{2026}").color(MUTED));
            });
            ui.add_space(24.0);
            return;
        };
        let rising_first = top.len();
        let for_you_first = rising_first + rising_rows.len();
        let left_title = format!("Top {}", top.len());
        let left_note = format!(
            "{} ratings, {} model",
            scores.scores.ratings,
            model_name(&scores.scores)
        );
        let mut picked = Vec::new();
        let left = |ui: &mut egui::Ui, picked: &mut Vec<(usize, bool)>| {
            ui.spacing_mut().item_spacing.y = 2.0;
            section(ui, &left_title, &left_note);
            show_rows(ui, &top, 0, false, selected, picked);
        };
        let right = |ui: &mut egui::Ui, picked: &mut Vec<(usize, bool)>| {
            ui.spacing_mut().item_spacing.y = 2.0;
            section(ui, "Rising fastest", "since the gallery opened");
            if rising_rows.is_empty() {
                empty(ui, "No work has risen since the gallery opened.");
            }
            show_rows(ui, &rising_rows, rising_first, false, selected, picked);
            ui.add_space(10.0);
            section(ui, "For you", "works you have not seen yet");
            if for_you.is_empty() {
                empty(ui, "Nothing to recommend yet.");
            }
            show_rows(ui, &for_you, for_you_first, true, selected, picked);
        };
        if two_columns {
            ui.columns(2, |columns| {
                left(&mut columns[0], &mut picked);
                right(&mut columns[1], &mut picked);
            });
        } else {
            egui::ScrollArea::vertical()
                .max_height((screen.height() - 220.0).max(160.0))
                .show(ui, |ui| {
                    left(ui, &mut picked);
                    ui.add_space(10.0);
                    right(ui, &mut picked);
                });
        }
        for (index, go) in picked {
            selected = Some(index);
            if go {
                chosen = Some(index);
            }
        }
        ui.add_space(8.0);
        panel_hint(
            ui,
            &format!(
                "Up / Down: choose    Enter or click: go to the work    Esc or {}: close",
                key_label(own_key)
            ),
        );
    });
    state.selected = selected;

    if let Some(work) = chosen.and_then(|i| works.get(i)).filter(|w| !w.is_empty()) {
        if let Some((entity, _)) = visitor {
            teleports.write(TeleportRequest {
                visitor: entity,
                work: work.clone(),
            });
        }
        next.set(Panel::Closed);
    } else if close {
        next.set(Panel::Closed);
    }
}

fn model_name(scores: &Scores) -> String {
    format!("{:?}", scores.model).to_lowercase()
}

/// A list's heading with a muted note beside it.
fn section(ui: &mut egui::Ui, title: &str, note: &str) {
    ui.horizontal(|ui| {
        ui.label(egui::RichText::new(title).size(20.0).color(INK));
        ui.label(
            egui::RichText::new(note)
                .text_style(egui::TextStyle::Small)
                .color(MUTED),
        );
    });
    ui.add_space(2.0);
}

fn empty(ui: &mut egui::Ui, text: &str) {
    ui.label(egui::RichText::new(text).color(MUTED));
}

/// Rows numbered from `first`; each click is pushed to `picked` as (row, go there now).
fn show_rows(
    ui: &mut egui::Ui,
    rows: &[Row],
    first: usize,
    guide: bool,
    selected: Option<usize>,
    picked: &mut Vec<(usize, bool)>,
) {
    for (offset, row) in rows.iter().enumerate() {
        let index = first + offset;
        let (clicked, go) = show_row(ui, row, selected == Some(index), guide);
        if clicked || go {
            picked.push((index, go));
        }
    }
}

/// One row: title and detail on the left, stars and a figure (or "Guide me") on the right.
/// Returns (row clicked, go there now).
fn show_row(ui: &mut egui::Ui, row: &Row, selected: bool, guide: bool) -> (bool, bool) {
    let height = if guide { ROW_HEIGHT + 18.0 } else { ROW_HEIGHT };
    let (rect, response) = ui.allocate_exact_size(
        egui::vec2(ui.available_width(), height),
        egui::Sense::click(),
    );
    response.widget_info(|| {
        egui::WidgetInfo::selected(egui::WidgetType::Button, true, selected, &row.title)
    });
    let painter = ui.painter_at(rect);
    if selected {
        painter.rect_filled(rect, 6.0, egui::Color32::from_rgb(92, 76, 48));
        painter.rect_stroke(
            rect.shrink(0.5),
            6.0,
            egui::Stroke::new(1.0, ACCENT),
            egui::StrokeKind::Inside,
        );
    } else if response.hovered() {
        painter.rect_filled(rect, 6.0, INSET);
    }
    let body = egui::TextStyle::Body.resolve(ui.style());
    let small = egui::TextStyle::Small.resolve(ui.style());
    let left = rect.left() + 10.0;
    let mut right_edge = rect.right() - 10.0;

    let mut guided = false;
    if guide {
        let size = egui::vec2(96.0, 28.0);
        let button = egui::Rect::from_min_size(
            egui::pos2(right_edge - size.x, rect.center().y - size.y / 2.0),
            size,
        );
        guided = ui
            .put(button, egui::Button::new("Guide me").selected(selected))
            .clicked();
        right_edge = button.left() - 10.0;
    } else {
        if !row.figure.is_empty() {
            let figure = painter.text(
                egui::pos2(right_edge, rect.center().y),
                egui::Align2::RIGHT_CENTER,
                &row.figure,
                body.clone(),
                if row.figure.starts_with('+') {
                    ACCENT
                } else {
                    INK
                },
            );
            right_edge = figure.left() - 8.0;
        }
        if let Some(stars) = row.stars {
            right_edge = paint_stars(&painter, right_edge, rect.center().y, stars) - 10.0;
        }
    }
    let clip = egui::Rect::from_x_y_ranges(rect.left()..=right_edge, rect.y_range());
    let text_painter = painter.with_clip_rect(clip);
    if guide {
        text_painter.text(
            egui::pos2(left, rect.top() + 6.0),
            egui::Align2::LEFT_TOP,
            &row.title,
            body,
            INK,
        );
        text_painter.text(
            egui::pos2(left, rect.bottom() - 6.0),
            egui::Align2::LEFT_BOTTOM,
            &row.detail,
            small,
            INK_SOFT,
        );
    } else {
        let title = text_painter.text(
            egui::pos2(left, rect.center().y),
            egui::Align2::LEFT_CENTER,
            &row.title,
            body,
            INK,
        );
        // The detail as it fits: whole, its first part ("measured"), or not at all.
        let space = right_edge - title.right() - 10.0;
        let short = row.detail.split(" \u{b7} ").next().unwrap_or_default();
        let fitting = [row.detail.as_str(), short].into_iter().find_map(|text| {
            let galley = painter.layout_no_wrap(text.to_string(), small.clone(), MUTED);
            (galley.size().x <= space).then_some(galley)
        });
        if let Some(galley) = fitting {
            let at = egui::pos2(
                title.right() + 10.0,
                rect.center().y + 1.0 - galley.size().y / 2.0,
            );
            text_painter.galley(at, galley, MUTED);
        }
    }
    (response.clicked(), guided || response.double_clicked())
}

/// Five small stars ending at `right`, lit to the nearest half star; returns their left edge.
fn paint_stars(painter: &egui::Painter, right: f32, y: f32, stars: f64) -> f32 {
    let (radius, pitch) = (7.5, 17.0);
    let halves = (stars * 2.0).round().clamp(0.0, 10.0) as u32;
    let left = right - pitch * 5.0;
    for i in 0..5u32 {
        let centre = egui::pos2(left + pitch * (i as f32 + 0.5), y);
        let dim = MUTED.gamma_multiply(0.45);
        paint_star(painter, centre, radius, dim);
        let lit = halves.saturating_sub(2 * i).min(2);
        if lit > 0 {
            let width = if lit == 2 { radius * 2.0 } else { radius };
            let clip = egui::Rect::from_min_size(
                centre - egui::vec2(radius, radius),
                egui::vec2(width, radius * 2.0),
            );
            paint_star(&painter.with_clip_rect(clip), centre, radius, ACCENT);
        }
    }
    left
}

/// A filled five-pointed star, as a fan of triangles from its centre.
fn paint_star(painter: &egui::Painter, centre: egui::Pos2, radius: f32, colour: egui::Color32) {
    let mut mesh = egui::Mesh::default();
    mesh.colored_vertex(centre, colour);
    for i in 0..10 {
        let r = if i % 2 == 0 { radius } else { radius * 0.45 };
        let angle = std::f32::consts::PI * (i as f32 / 5.0 - 0.5);
        mesh.colored_vertex(centre + r * egui::vec2(angle.cos(), angle.sin()), colour);
    }
    for i in 0..10u32 {
        mesh.add_triangle(0, 1 + i, 1 + (i + 1) % 10);
    }
    painter.add(egui::Shape::mesh(mesh));
}

// ---------------------------------------------------------------------------------------------
// Pure logic.

/// "measured · 12 ratings" or "predicted · no ratings yet".
pub fn score_source(score: &WorkScore) -> String {
    match score.ratings {
        0 => "predicted \u{b7} no ratings yet".into(),
        1 => "measured \u{b7} 1 rating".into(),
        n => format!("measured \u{b7} {n} ratings"),
    }
}

/// The `count` best-scored works, best first (ties: more ratings, then id).
pub fn top_works(scores: &Scores, count: usize) -> Vec<&WorkScore> {
    let mut works: Vec<&WorkScore> = scores.per_work.iter().collect();
    works.sort_by(|a, b| {
        b.predicted
            .total_cmp(&a.predicted)
            .then(b.ratings.cmp(&a.ratings))
            .then_with(|| a.work.cmp(&b.work))
    });
    works.truncate(count);
    works
}

/// The `count` works whose predicted score rose most since `opening`, with the rise, largest
/// first; works that did not rise (by at least [`MIN_RISE`]) or are new are left out.
pub fn rising(now: &Scores, opening: &Scores, count: usize) -> Vec<(String, f64)> {
    let mut rises: Vec<(String, f64)> = now
        .per_work
        .iter()
        .filter_map(|s| {
            let before = opening.per_work.iter().find(|o| o.work == s.work)?;
            let rise = s.predicted - before.predicted;
            (rise >= MIN_RISE).then(|| (s.work.clone(), rise))
        })
        .collect();
    rises.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rises.truncate(count);
    rises
}

/// Moves the selection `step` rows through `len` rows (negative: up), stopping at the ends;
/// a selection past the end (the lists got shorter) is brought back to the last row.
pub fn step_selection(len: usize, selected: Option<usize>, step: isize) -> Option<usize> {
    let last = len.checked_sub(1)? as isize;
    let target = match selected {
        Some(at) => (at.min(last as usize) as isize + step).clamp(0, last),
        None if step < 0 => last,
        None => 0,
    };
    Some(target as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::ModelKind;

    fn score(work: &str, predicted: f64, ratings: usize) -> WorkScore {
        WorkScore {
            work: work.into(),
            predicted,
            model_output: predicted,
            measured_mean: (ratings > 0).then_some(predicted),
            ratings,
            confidence: 0.0,
            contributions: vec![],
        }
    }

    fn scores(works: Vec<WorkScore>) -> Scores {
        Scores {
            features: vec![],
            model: ModelKind::Linear,
            baseline: 3.0,
            per_work: works,
            ratings: 0,
            cv_mse: None,
            baseline_mse: None,
        }
    }

    #[test]
    fn the_top_list_is_best_first_and_limited() {
        let s = scores(vec![
            score("a", 3.0, 0),
            score("b", 4.5, 2),
            score("c", 3.0, 5),
            score("d", 1.0, 1),
        ]);
        let top: Vec<&str> = top_works(&s, 3).iter().map(|w| w.work.as_str()).collect();
        assert_eq!(top, vec!["b", "c", "a"]);
        assert_eq!(top_works(&s, 10).len(), 4);
    }

    #[test]
    fn rising_works_are_the_largest_increases_since_opening() {
        let opening = scores(vec![
            score("a", 3.0, 0),
            score("b", 4.0, 0),
            score("c", 2.0, 0),
            score("d", 2.5, 0),
        ]);
        let now = scores(vec![
            score("a", 3.2, 1),
            score("b", 3.5, 1),
            score("c", 2.9, 2),
            score("d", 2.501, 0),
            score("new", 5.0, 1),
        ]);
        let r = rising(&now, &opening, 5);
        let names: Vec<&str> = r.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(
            names,
            vec!["c", "a"],
            "falling, flat and new works are left out"
        );
        assert!((r[0].1 - 0.9).abs() < 1e-9);
        assert_eq!(rising(&now, &opening, 1).len(), 1);
        assert!(rising(&opening, &opening, 5).is_empty());
    }

    #[test]
    fn the_selection_moves_across_rows_and_stops_at_the_ends() {
        assert_eq!(step_selection(18, Some(0), 1), Some(1));
        assert_eq!(step_selection(18, Some(9), 1), Some(10), "top into rising");
        assert_eq!(step_selection(18, Some(0), -1), Some(0));
        assert_eq!(step_selection(18, Some(17), 1), Some(17));
        assert_eq!(step_selection(18, None, 1), Some(0));
        assert_eq!(step_selection(18, None, -1), Some(17));
        assert_eq!(step_selection(3, Some(12), 0), Some(2), "lists got shorter");
        assert_eq!(step_selection(0, Some(2), 1), None);
    }

    #[test]
    fn score_sources_say_measured_or_predicted() {
        assert_eq!(
            score_source(&score("a", 3.0, 0)),
            "predicted \u{b7} no ratings yet"
        );
        assert_eq!(
            score_source(&score("a", 3.0, 1)),
            "measured \u{b7} 1 rating"
        );
        assert_eq!(
            score_source(&score("a", 3.0, 12)),
            "measured \u{b7} 12 ratings"
        );
    }
}
