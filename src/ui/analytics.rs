//! The curators' analytics panel: what cleaning kept and dropped, a sortable table of visits,
//! dwell, likes and ratings per work, and a heat map of where visitors stood over the plan.
//!
//! The figures are worked out on the task pool from a copy of the log, at most once a second
//! and only when the log grew, so an open panel never stalls the gallery.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::sync::Arc;

use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, futures::check_ready};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

use super::catalogue::{
    ACCENT, HUD_CLEARANCE, INK, INK_SOFT, INSET, MUTED, WARNING, card_frame, dim_gallery,
    edits_text, panel_heading, panel_hint, panel_window,
};
use super::settings_panel::key_label;
use crate::feedback::FeedbackLog;
use crate::feedback::analytics::{DEFAULT_CELL, WorkStats, heat_map, render_heat_map, work_stats};
use crate::feedback::clean::clean;
use crate::feedback::event::FeedbackEvent;
use crate::gallery::ActiveLevel;
use crate::level::Level;
use crate::player::VisitorSettings;
use crate::player::keys::key_code;
use crate::screens::Panel;

pub(super) fn plugin(app: &mut App) {
    super::open_panel_with(app, "analytics", |k| &k.analytics, Panel::Analytics);
    app.init_resource::<AnalyticsState>().add_systems(
        EguiPrimaryContextPass,
        show_analytics.run_if(in_state(Panel::Analytics)),
    );
}

/// The figures are worked out again at most this often (seconds), and only if the log grew.
const REFRESH_SECONDS: f64 = 1.0;
/// Points scrolled by an arrow key and by Page Up / Page Down.
const LINE_SCROLL: f32 = 40.0;
const PAGE_SCROLL: f32 = 300.0;
/// Height of a table row.
const ROW_HEIGHT: f32 = 34.0;

/// What the panel shows, kept between openings.
#[derive(Resource)]
struct AnalyticsState {
    /// The latest figures, and the log length and time (real seconds) they were started at.
    analysis: Option<Analysis>,
    started: Option<(usize, f64)>,
    /// The level they are about (a reloaded level starts over).
    level: Option<Arc<Level>>,
    task: Option<Task<Analysis>>,
    heat: Option<egui::TextureHandle>,
    sort: SortBy,
    descending: bool,
}

impl Default for AnalyticsState {
    /// Nothing worked out yet; the most visited works first.
    fn default() -> Self {
        AnalyticsState {
            analysis: None,
            started: None,
            level: None,
            task: None,
            heat: None,
            sort: SortBy::Views,
            descending: true,
        }
    }
}

/// Everything the panel shows about one state of the log.
struct Analysis {
    summary: String,
    dropped: usize,
    rows: Vec<WorkStats>,
    visitors: usize,
    samples: u64,
    plan: crate::gallery::pixels::Pixels,
}

fn show_analytics(
    mut contexts: EguiContexts,
    keys: Res<ButtonInput<KeyCode>>,
    time: Res<Time<Real>>,
    settings: Res<VisitorSettings>,
    level: Option<Res<ActiveLevel>>,
    log: Res<FeedbackLog>,
    mut state: ResMut<AnalyticsState>,
    mut next: ResMut<NextState<Panel>>,
) {
    let Ok(ctx) = contexts.ctx_mut() else {
        return;
    };
    let Some(level) = level.map(|l| Arc::clone(&l.0)) else {
        next.set(Panel::Closed);
        return;
    };
    let state = &mut *state;

    // Esc always closes; the panel's own key when no text field would take it.
    let own_key = &settings.keys.analytics;
    let typing = ctx.text_edit_focused() && edits_text(own_key);
    if keys.just_pressed(KeyCode::Escape)
        || (!typing && key_code(own_key).is_some_and(|k| keys.just_pressed(k)))
    {
        next.set(Panel::Closed);
        return;
    }

    // Fresh figures: collect a finished job, start one when the log grew.
    let now = time.elapsed_secs_f64();
    if let Some(task) = state.task.as_mut()
        && let Some(analysis) = check_ready(task)
    {
        state.task = None;
        let image = egui::ColorImage::from_rgba_unmultiplied(
            [analysis.plan.width as usize, analysis.plan.height as usize],
            &analysis.plan.rgba,
        );
        match state.heat.as_mut() {
            Some(texture) => texture.set(image, egui::TextureOptions::LINEAR),
            None => {
                state.heat = Some(ctx.load_texture(
                    "analytics-heat-map",
                    image,
                    egui::TextureOptions::LINEAR,
                ))
            }
        }
        state.analysis = Some(analysis);
    }
    if !state.level.as_ref().is_some_and(|l| Arc::ptr_eq(l, &level)) {
        state.level = Some(Arc::clone(&level));
        state.started = None;
        state.task = None;
        state.analysis = None;
    }
    if state.task.is_none() && should_refresh(state.started, log.events.len(), now) {
        state.started = Some((log.events.len(), now));
        let events = log.events.clone();
        let level = Arc::clone(&level);
        // A little finer than shown, so that the plan's labels find room and stay crisp.
        let space = map_space(ctx.content_rect(), !log.warnings.is_empty());
        let scale = 1.3 * plan_scale(&level, space * ctx.pixels_per_point());
        state.task =
            Some(AsyncComputeTaskPool::get().spawn(async move { analyse(&level, &events, scale) }));
    }

    // Keys: 1 to 5 choose the sort (again: the other way round); arrows and pages scroll.
    let scroll = ctx.input_mut(|i| {
        let none = egui::Modifiers::NONE;
        let mut count = |key| i.count_and_consume_key(none, key) as f32;
        LINE_SCROLL * (count(egui::Key::ArrowDown) - count(egui::Key::ArrowUp))
            + PAGE_SCROLL * (count(egui::Key::PageDown) - count(egui::Key::PageUp))
    });
    if let Some(chosen) = sort_for_key(keys.get_just_pressed().copied()) {
        (state.sort, state.descending) = choose_sort(state.sort, state.descending, chosen);
    }

    dim_gallery(ctx);
    let screen = ctx.content_rect();
    let warned = !log.warnings.is_empty();
    let (width, body_height) = panel_size(screen, warned);
    let wide = width >= 960.0;
    let mut close = false;
    let mut clicked_sort = None;
    panel_window("Visitor statistics", width).show(ctx, |ui| {
        ui.set_width(width);
        close = panel_heading(ui, "Visitor statistics", &level.exhibition.title);
        show_warnings(ui, &log.warnings);
        let Some(analysis) = &state.analysis else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(egui::RichText::new("Counting\u{2026}").color(MUTED));
            });
            return;
        };
        show_summary(ui, analysis);
        ui.add_space(6.0);
        let order = sort_order(&analysis.rows, state.sort, state.descending);
        let heat = state.heat.as_ref().map(|t| (t.id(), t.size_vec2()));
        if wide {
            let map_width = map_space(screen, warned).x;
            ui.horizontal_top(|ui| {
                ui.vertical(|ui| {
                    ui.set_width(width - map_width - 24.0);
                    clicked_sort = show_header(ui, state.sort, state.descending);
                    egui::ScrollArea::vertical()
                        .id_salt("analytics-table")
                        .max_height(body_height - ROW_HEIGHT)
                        .auto_shrink([false, true])
                        .show(ui, |ui| {
                            show_rows(ui, &analysis.rows, &order);
                            if scroll != 0.0 {
                                ui.scroll_with_delta(egui::vec2(0.0, -scroll));
                            }
                        });
                });
                ui.add_space(20.0);
                ui.vertical(|ui| {
                    ui.set_width(map_width);
                    show_heat_map(ui, analysis, heat, map_space(screen, warned));
                });
            });
        } else {
            egui::ScrollArea::vertical()
                .id_salt("analytics-table")
                .max_height(body_height)
                .auto_shrink([false, true])
                .show(ui, |ui| {
                    ui.set_width(ui.available_width() - 14.0);
                    clicked_sort = show_header(ui, state.sort, state.descending);
                    show_rows(ui, &analysis.rows, &order);
                    ui.add_space(12.0);
                    show_heat_map(ui, analysis, heat, map_space(screen, warned));
                    if scroll != 0.0 {
                        ui.scroll_with_delta(egui::vec2(0.0, -scroll));
                    }
                });
        }
        ui.add_space(8.0);
        panel_hint(
            ui,
            &format!(
                "1\u{2013}5: sort by work, views, dwell, likes, rating (again: reverse)    \
                 arrows, Page Up / Down: scroll    Esc or {}: close",
                key_label(own_key)
            ),
        );
    });
    if let Some(chosen) = clicked_sort {
        (state.sort, state.descending) = choose_sort(state.sort, state.descending, chosen);
    }
    if close {
        next.set(Panel::Closed);
    }
}

/// The panel's width and the height of its table, for a screen of this size (less when the
/// store's warnings take their box).
fn panel_size(screen: egui::Rect, warnings: bool) -> (f32, f32) {
    let width = (screen.width() - 100.0).clamp(300.0, 1200.0);
    let warnings = if warnings { 84.0 } else { 0.0 };
    let body_height = (screen.height() - HUD_CLEARANCE - 230.0 - warnings).max(200.0);
    (width, body_height)
}

/// The room for the heat map image: beside the table on wide screens, under it otherwise.
fn map_space(screen: egui::Rect, warnings: bool) -> egui::Vec2 {
    let (width, body_height) = panel_size(screen, warnings);
    if width >= 960.0 {
        egui::vec2((width * 0.4).min(480.0), body_height - 34.0)
    } else {
        egui::vec2(width - 40.0, 340.0)
    }
}

/// Cleans the log and works out the table and the plan (on the task pool).
fn analyse(level: &Level, events: &[FeedbackEvent], scale: f32) -> Analysis {
    let cleaned = clean(events, |id| level.works.iter().any(|w| w.id == id));
    let rows = work_stats(level, &cleaned.kept);
    let map = heat_map(level, &cleaned.kept, DEFAULT_CELL);
    Analysis {
        summary: cleaned.summary(),
        dropped: cleaned.dropped_total(),
        visitors: visitor_count(&cleaned.kept),
        samples: map.total(),
        plan: render_heat_map(level, &map, scale),
        rows,
    }
}

// ---------------------------------------------------------------------------------------------
// The parts of the panel.

/// Records the store could not read, if any: the first few, and how many more.
fn show_warnings(ui: &mut egui::Ui, warnings: &[String]) {
    if warnings.is_empty() {
        return;
    }
    card_frame()
        .stroke(egui::Stroke::new(1.0, WARNING.gamma_multiply(0.5)))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.spacing_mut().item_spacing.y = 2.0;
            let noun = if warnings.len() == 1 {
                "record"
            } else {
                "records"
            };
            ui.label(
                egui::RichText::new(format!(
                    "{} stored {noun} could not be read and are left out:",
                    warnings.len()
                ))
                .color(WARNING),
            );
            for warning in warnings.iter().take(3) {
                ui.add(
                    egui::Label::new(
                        egui::RichText::new(warning)
                            .text_style(egui::TextStyle::Small)
                            .color(INK_SOFT),
                    )
                    .truncate(),
                );
            }
            if warnings.len() > 3 {
                panel_hint(ui, &format!("and {} more", warnings.len() - 3));
            }
        });
    ui.add_space(6.0);
}

/// Visitors and events, and what cleaning dropped.
fn show_summary(ui: &mut egui::Ui, analysis: &Analysis) {
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 0.0;
        let visitors = match analysis.visitors {
            1 => "1 visitor".to_string(),
            n => format!("{n} visitors"),
        };
        ui.label(egui::RichText::new(visitors).color(INK));
        ui.label(egui::RichText::new("  \u{b7}  ").color(MUTED));
        let colour = if analysis.dropped > 0 {
            INK_SOFT
        } else {
            MUTED
        };
        ui.label(egui::RichText::new(&analysis.summary).color(colour));
    });
}

/// The column layout: (title, width, right-aligned); the work column takes what is left.
fn columns(total: f32) -> [(SortBy, &'static str, f32); 5] {
    let fixed = 74.0 + 96.0 + 70.0 + 168.0;
    [
        (SortBy::Title, "Work", (total - fixed).max(140.0)),
        (SortBy::Views, "Views", 74.0),
        (SortBy::Dwell, "Mean dwell", 96.0),
        (SortBy::Likes, "Likes", 70.0),
        (SortBy::Rating, "Ratings", 168.0),
    ]
}

/// The header: each column title sorts by it (a click, or Enter when it has focus).
fn show_header(ui: &mut egui::Ui, sort: SortBy, descending: bool) -> Option<SortBy> {
    let mut chosen = None;
    let total = ui.available_width() - 14.0;
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 0.0;
        for (index, (by, title, width)) in columns(total).into_iter().enumerate() {
            let (rect, response) =
                ui.allocate_exact_size(egui::vec2(width, ROW_HEIGHT - 4.0), egui::Sense::click());
            let active = by == sort;
            response.widget_info(|| {
                egui::WidgetInfo::selected(
                    egui::WidgetType::Button,
                    true,
                    active,
                    format!("Sort by {}", title.to_lowercase()),
                )
            });
            let painter = ui.painter();
            if response.hovered() || response.has_focus() {
                painter.rect_filled(rect.shrink(1.0), 5.0, INSET);
            }
            if response.has_focus() {
                painter.rect_stroke(
                    rect.shrink(1.0),
                    5.0,
                    egui::Stroke::new(1.5, ACCENT),
                    egui::StrokeKind::Inside,
                );
            }
            let colour = if active { ACCENT } else { MUTED };
            let font = egui::FontId::proportional(15.0);
            let label = format!("{} {title}", index + 1);
            let left = by == SortBy::Title;
            let galley = painter.layout_no_wrap(label, font, colour);
            let text_width = galley.size().x;
            let x = if left {
                rect.left() + 8.0
            } else {
                rect.right() - 8.0 - text_width - if active { 14.0 } else { 0.0 }
            };
            let y = rect.center().y - galley.size().y / 2.0;
            painter.galley(egui::pos2(x, y), galley, colour);
            if active {
                let centre = egui::pos2(x + text_width + 8.0, rect.center().y);
                let (tip, base) = if descending { (4.0, -3.0) } else { (-4.0, 3.0) };
                painter.add(egui::Shape::convex_polygon(
                    vec![
                        centre + egui::vec2(0.0, tip),
                        centre + egui::vec2(-4.5, base),
                        centre + egui::vec2(4.5, base),
                    ],
                    ACCENT,
                    egui::Stroke::NONE,
                ));
            }
            if response.clicked() {
                chosen = Some(by);
            }
        }
    });
    let (line, _) = ui.allocate_exact_size(egui::vec2(total, 1.0), egui::Sense::hover());
    ui.painter()
        .rect_filled(line, 0.0, MUTED.gamma_multiply(0.35));
    chosen
}

/// The rows, in `order`, painted: a striped line per work with its figures.
fn show_rows(ui: &mut egui::Ui, rows: &[WorkStats], order: &[usize]) {
    let total = ui.available_width();
    let columns = columns(total);
    let body = egui::FontId::proportional(16.0);
    let small = egui::FontId::proportional(14.0);
    ui.spacing_mut().item_spacing.y = 0.0;
    for (stripe, &index) in order.iter().enumerate() {
        let row = &rows[index];
        let (rect, response) =
            ui.allocate_exact_size(egui::vec2(total, ROW_HEIGHT), egui::Sense::hover());
        if !ui.is_rect_visible(rect) {
            continue;
        }
        let painter = ui.painter();
        if stripe % 2 == 1 {
            painter.rect_filled(rect, 4.0, INSET.gamma_multiply(0.8));
        }
        if response.hovered() {
            painter.rect_stroke(
                rect,
                4.0,
                egui::Stroke::new(1.0, ACCENT.gamma_multiply(0.5)),
                egui::StrokeKind::Inside,
            );
        }
        let mut x = rect.left();
        let y = rect.center().y;
        for (by, _, width) in columns {
            let cell =
                egui::Rect::from_min_size(egui::pos2(x, rect.top()), egui::vec2(width, ROW_HEIGHT));
            match by {
                SortBy::Title => {
                    let mut job = egui::text::LayoutJob::single_section(
                        row.title.clone(),
                        egui::TextFormat::simple(body.clone(), INK),
                    );
                    job.wrap = egui::text::TextWrapping::truncate_at_width(width - 16.0);
                    let galley = painter.layout_job(job);
                    painter.galley(
                        egui::pos2(cell.left() + 8.0, y - galley.size().y / 2.0),
                        galley,
                        INK,
                    );
                }
                SortBy::Views => {
                    figure(painter, cell, &row.views.to_string(), row.views == 0, &body)
                }
                SortBy::Dwell => figure(
                    painter,
                    cell,
                    &dwell_label(row.views, row.mean_dwell),
                    row.views == 0,
                    &body,
                ),
                SortBy::Likes => {
                    figure(painter, cell, &row.likes.to_string(), row.likes == 0, &body)
                }
                SortBy::Rating => paint_ratings(painter, cell, row, &body, &small),
            }
            x += width;
        }
        response.on_hover_text(row_details(row));
    }
}

/// A number at the right of its cell, quieter when it is nothing.
fn figure(
    painter: &egui::Painter,
    cell: egui::Rect,
    text: &str,
    nothing: bool,
    font: &egui::FontId,
) {
    painter.text(
        egui::pos2(cell.right() - 8.0, cell.center().y),
        egui::Align2::RIGHT_CENTER,
        text,
        font.clone(),
        if nothing {
            MUTED.gamma_multiply(0.7)
        } else {
            INK
        },
    );
}

/// The rating histogram as five small bars (1 to 5 stars, left to right), then the mean.
fn paint_ratings(
    painter: &egui::Painter,
    cell: egui::Rect,
    row: &WorkStats,
    body: &egui::FontId,
    small: &egui::FontId,
) {
    let bars = histogram_bars(&row.ratings);
    let (bar_width, gap, height) = (9.0, 3.0, ROW_HEIGHT - 14.0);
    let left = cell.left() + 16.0;
    let bottom = cell.bottom() - 7.0;
    for (i, fraction) in bars.iter().enumerate() {
        let x = left + i as f32 * (bar_width + gap);
        let base = egui::Rect::from_min_max(
            egui::pos2(x, bottom - 1.5),
            egui::pos2(x + bar_width, bottom),
        );
        painter.rect_filled(base, 0.0, MUTED.gamma_multiply(0.35));
        if *fraction > 0.0 {
            let bar = egui::Rect::from_min_max(
                egui::pos2(x, bottom - (height * fraction).max(2.0)),
                egui::pos2(x + bar_width, bottom),
            );
            painter.rect_filled(bar, 1.5, ACCENT.gamma_multiply(0.55 + 0.09 * i as f32));
        }
    }
    let text = match row.mean_rating {
        Some(mean) => (format!("{mean:.1}"), body.clone(), INK),
        None => (
            "unrated".to_string(),
            small.clone(),
            MUTED.gamma_multiply(0.7),
        ),
    };
    painter.text(
        egui::pos2(cell.right() - 8.0, cell.center().y),
        egui::Align2::RIGHT_CENTER,
        text.0,
        text.1,
        text.2,
    );
}

/// Everything about a row, for its tooltip.
fn row_details(row: &WorkStats) -> String {
    let counts: Vec<String> = row
        .ratings
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{}\u{2605} {n}", i + 1))
        .collect();
    format!(
        "{}\n{} visits, mean {}\nratings: {}\n{} likes, {} comments",
        row.title,
        row.views,
        dwell_label(row.views, row.mean_dwell),
        counts.join("  "),
        row.likes,
        row.comments
    )
}

/// The plan with the heat over it, fitted into `space`, with a caption.
fn show_heat_map(
    ui: &mut egui::Ui,
    analysis: &Analysis,
    texture: Option<(egui::TextureId, egui::Vec2)>,
    space: egui::Vec2,
) {
    let Some((id, size)) = texture else {
        ui.spinner();
        return;
    };
    let shown = super::inspect::fit_preview(size.x / size.y.max(1.0), space);
    ui.vertical_centered(|ui| {
        ui.add(egui::Image::new(egui::load::SizedTexture::new(id, shown)).corner_radius(6))
            .on_hover_text("North is up; the busiest cells are red");
        ui.add_space(2.0);
        let mut caption = egui::text::LayoutJob::default();
        let small = egui::TextStyle::Small.resolve(ui.style());
        caption.append(
            "Where visitors stood",
            0.0,
            egui::TextFormat::simple(egui::TextStyle::Body.resolve(ui.style()), ACCENT),
        );
        let detail = match analysis.samples {
            0 => "  \u{b7}  no positions recorded yet".to_string(),
            n => format!("  \u{b7}  {n} samples in half-metre cells"),
        };
        caption.append(&detail, 0.0, egui::TextFormat::simple(small, MUTED));
        ui.label(caption);
    });
}

// ---------------------------------------------------------------------------------------------
// Pure logic: sorting, refreshing, scales and labels.

/// A column the table can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    /// By title, A to Z.
    Title,
    Views,
    Dwell,
    Likes,
    /// By mean rating; unrated works last either way.
    Rating,
}

/// The sort a key chooses: 1 to 5 for the columns, left to right.
pub fn sort_for_key(pressed: impl IntoIterator<Item = KeyCode>) -> Option<SortBy> {
    pressed.into_iter().find_map(|key| match key {
        KeyCode::Digit1 | KeyCode::Numpad1 => Some(SortBy::Title),
        KeyCode::Digit2 | KeyCode::Numpad2 => Some(SortBy::Views),
        KeyCode::Digit3 | KeyCode::Numpad3 => Some(SortBy::Dwell),
        KeyCode::Digit4 | KeyCode::Numpad4 => Some(SortBy::Likes),
        KeyCode::Digit5 | KeyCode::Numpad5 => Some(SortBy::Rating),
        _ => None,
    })
}

/// Choosing the current column reverses it; another column starts the natural way round
/// (titles A to Z, figures largest first).
pub fn choose_sort(current: SortBy, descending: bool, chosen: SortBy) -> (SortBy, bool) {
    if chosen == current {
        (current, !descending)
    } else {
        (chosen, chosen != SortBy::Title)
    }
}

/// Row indices in display order. Ties keep the level's order; works without a rating come
/// last when sorting by rating, whichever way round.
pub fn sort_order(rows: &[WorkStats], by: SortBy, descending: bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let compare = |a: &WorkStats, b: &WorkStats| -> Ordering {
        match by {
            SortBy::Title => {
                super::catalogue::fold(&a.title).cmp(&super::catalogue::fold(&b.title))
            }
            SortBy::Views => a.views.cmp(&b.views),
            SortBy::Dwell => a.mean_dwell.total_cmp(&b.mean_dwell),
            SortBy::Likes => a.likes.cmp(&b.likes),
            SortBy::Rating => match (a.mean_rating, b.mean_rating) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                _ => Ordering::Equal,
            },
        }
    };
    order.sort_by(|&i, &j| {
        let (a, b) = (&rows[i], &rows[j]);
        if by == SortBy::Rating {
            // Unrated last, before the direction applies.
            let rated = b
                .mean_rating
                .is_none()
                .cmp(&a.mean_rating.is_none())
                .reverse();
            if rated != Ordering::Equal {
                return rated;
            }
        }
        let ordering = compare(a, b);
        if descending {
            ordering.reverse()
        } else {
            ordering
        }
    });
    order
}

/// Whether to work the figures out again: never done, or the log changed and the last run
/// started at least [`REFRESH_SECONDS`] ago.
pub fn should_refresh(started: Option<(usize, f64)>, events: usize, now: f64) -> bool {
    match started {
        None => true,
        Some((len, at)) => len != events && now - at >= REFRESH_SECONDS,
    }
}

/// Each bar's height as a share of the tallest (all zero without ratings).
pub fn histogram_bars(ratings: &[u32; 5]) -> [f32; 5] {
    let most = ratings.iter().copied().max().unwrap_or(0);
    if most == 0 {
        return [0.0; 5];
    }
    ratings.map(|n| n as f32 / most as f32)
}

/// "12.3 s"; a dash without visits.
pub fn dwell_label(views: u32, mean: f64) -> String {
    if views == 0 || !mean.is_finite() {
        "\u{2013}".into()
    } else if mean >= 100.0 {
        format!("{mean:.0} s")
    } else {
        format!("{mean:.1} s")
    }
}

/// How many different visitors left the events.
pub fn visitor_count(events: &[FeedbackEvent]) -> usize {
    events
        .iter()
        .map(|e| e.visitor.as_str())
        .collect::<HashSet<_>>()
        .len()
}

/// Pixels per metre that fit the building's plan into `pixels`, with the margins and the key
/// that [`render_heat_map`] draws around it (their sizes grow with the scale, within limits),
/// kept between 8 and 60.
pub fn plan_scale(level: &Level, pixels: egui::Vec2) -> f32 {
    let boxes = level.rooms.iter().map(crate::level::geometry::bounds);
    let Some([x0, z0, x1, z1]) = boxes.reduce(|a, b| {
        [
            a[0].min(b[0]),
            a[1].min(b[1]),
            a[2].max(b[2]),
            a[3].max(b[3]),
        ]
    }) else {
        return 20.0;
    };
    let (across, down) = ((x1 - x0).max(0.1), (z1 - z0).max(0.1));
    let fits = |scale: f32| {
        let text = (scale * 0.6).clamp(11.0, 22.0);
        let margin = scale.max(text * 2.0);
        across * scale + 2.0 * margin <= pixels.x
            && down * scale + 2.0 * margin + 4.0 * text <= pixels.y
    };
    let (mut low, mut high) = (8.0f32, 60.0f32);
    if !fits(low) {
        return low;
    }
    if fits(high) {
        return high;
    }
    for _ in 0..24 {
        let mid = (low + high) / 2.0;
        if fits(mid) { low = mid } else { high = mid }
    }
    low
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feedback::event::{EVENT_SCHEMA, What};

    fn row(title: &str, views: u32, dwell: f64, likes: u32, rating: Option<f64>) -> WorkStats {
        WorkStats {
            work: title.to_lowercase(),
            title: title.into(),
            views,
            mean_dwell: dwell,
            ratings: [0; 5],
            mean_rating: rating,
            likes,
            comments: 0,
        }
    }

    fn rows() -> Vec<WorkStats> {
        vec![
            row("Lake", 5, 12.0, 1, Some(4.0)),
            row("erg", 9, 3.5, 0, None),
            row("Pines", 5, 30.0, 4, Some(2.5)),
            row("Ávila", 0, 0.0, 2, Some(4.5)),
        ]
    }

    #[test]
    fn sorting_by_each_column_keeps_ties_in_level_order() {
        let rows = rows();
        assert_eq!(sort_order(&rows, SortBy::Views, true), [1, 0, 2, 3]);
        assert_eq!(sort_order(&rows, SortBy::Views, false), [3, 0, 2, 1]);
        assert_eq!(sort_order(&rows, SortBy::Dwell, true), [2, 0, 1, 3]);
        assert_eq!(sort_order(&rows, SortBy::Likes, true), [2, 3, 0, 1]);
        // Titles ignore case and accents.
        assert_eq!(sort_order(&rows, SortBy::Title, false), [3, 1, 0, 2]);
        assert_eq!(sort_order(&rows, SortBy::Title, true), [2, 0, 1, 3]);
    }

    #[test]
    fn unrated_works_come_last_either_way() {
        let rows = rows();
        assert_eq!(sort_order(&rows, SortBy::Rating, true), [3, 0, 2, 1]);
        assert_eq!(sort_order(&rows, SortBy::Rating, false), [2, 0, 3, 1]);
        assert!(sort_order(&[], SortBy::Rating, true).is_empty());
    }

    #[test]
    fn choosing_a_column_again_reverses_it() {
        assert_eq!(
            choose_sort(SortBy::Views, true, SortBy::Views),
            (SortBy::Views, false)
        );
        assert_eq!(
            choose_sort(SortBy::Views, false, SortBy::Likes),
            (SortBy::Likes, true)
        );
        assert_eq!(
            choose_sort(SortBy::Views, true, SortBy::Title),
            (SortBy::Title, false)
        );
        assert_eq!(sort_for_key([KeyCode::Digit1]), Some(SortBy::Title));
        assert_eq!(sort_for_key([KeyCode::Numpad5]), Some(SortBy::Rating));
        assert_eq!(sort_for_key([KeyCode::KeyG, KeyCode::Digit6]), None);
    }

    #[test]
    fn figures_refresh_at_most_once_a_second_and_only_when_the_log_grew() {
        assert!(should_refresh(None, 0, 0.0));
        assert!(!should_refresh(Some((10, 5.0)), 10, 9.0), "nothing new");
        assert!(!should_refresh(Some((10, 5.0)), 12, 5.5), "too soon");
        assert!(should_refresh(Some((10, 5.0)), 12, 6.0));
    }

    #[test]
    fn histogram_bars_are_shares_of_the_tallest() {
        assert_eq!(histogram_bars(&[0; 5]), [0.0; 5]);
        assert_eq!(histogram_bars(&[1, 0, 2, 4, 0]), [0.25, 0.0, 0.5, 1.0, 0.0]);
    }

    #[test]
    fn dwell_labels() {
        assert_eq!(dwell_label(0, 0.0), "\u{2013}");
        assert_eq!(dwell_label(3, 12.345), "12.3 s");
        assert_eq!(dwell_label(3, 123.4), "123 s");
        assert_eq!(dwell_label(3, f64::NAN), "\u{2013}");
    }

    #[test]
    fn visitors_are_counted_once() {
        let event = |visitor: &str, what| FeedbackEvent {
            v: EVENT_SCHEMA,
            id: format!("{visitor}-1"),
            visitor: visitor.into(),
            time_ms: 0,
            what,
        };
        let events = vec![
            event("a", What::Position { x: 1.0, z: 1.0 }),
            event("b", What::Position { x: 2.0, z: 1.0 }),
            event(
                "a",
                What::Like {
                    work: "w".into(),
                    liked: true,
                },
            ),
        ];
        assert_eq!(visitor_count(&events), 2);
        assert_eq!(visitor_count(&[]), 0);
    }

    #[test]
    fn the_plan_scale_fits_the_building_into_the_space() {
        let level: Level = ron::from_str(
            r#"(format: 1, exhibition: (id: "t", title: "T", curator: "C"),
               rooms: [(id: "a", origin: (0.0, 0.0), size: (8.0, 6.0)),
                       (id: "b", origin: (8.0, 0.0), size: (10.0, 10.0))],
               spawn: (room: "a", position: (1.0, 1.0)), works: [])"#,
        )
        .expect("test level parses");
        // Width-bound: 18 m and two margins of twice the label size (0.6 px per px/m).
        let scale = plan_scale(&level, egui::vec2(400.0, 600.0));
        assert!((scale - 400.0 / 20.4).abs() < 0.01, "{scale}");
        // Height-bound: 10 m, two margins and a key of four label heights into 300 px.
        let scale = plan_scale(&level, egui::vec2(1000.0, 300.0));
        assert!((scale - 300.0 / 14.8).abs() < 0.01, "{scale}");
        assert_eq!(
            plan_scale(&level, egui::vec2(10.0, 10.0)),
            8.0,
            "never unreadably small"
        );
        assert_eq!(plan_scale(&level, egui::vec2(1e5, 1e5)), 60.0);
    }
}
