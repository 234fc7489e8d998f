//! CPU typesetting: lays out and rasterises text (wall labels, poems, statements) into
//! [`Pixels`] buffers that become plaque and text-work textures.
//!
//! Bevy has no world-space text, so everything here is done on the CPU and is independent of
//! Bevy. The body face is Ubuntu Light; glyphs it lacks fall back to Hack and then to Noto
//! Emoji (all three ship, compiled in, with `epaint_default_fonts`). A character that no face
//! covers is drawn as a small hollow box ("tofu"); invisible format characters and control
//! characters are skipped. No input string can make the typesetter panic.
//!
//! Layout is greedy: each [`Block`] is word-wrapped to the text frame (the buffer less its
//! margins), explicit line breaks are kept, and a word wider than the frame is broken between
//! characters. If the blocks do not fit, every size is scaled down by one common factor (to a
//! floor that keeps the smallest text legible); if even that is too tall, the text is clipped
//! after the last line that fits and that line ends in an ellipsis. Glyph ink never leaves the
//! frame. Kerning is read from the fonts' OpenType `GPOS` pair adjustments (ab_glyph itself
//! only reads the legacy `kern` table, which Ubuntu Light lacks).

use std::fmt;

use ab_glyph::{Font, FontRef, GlyphId, PxScale, point};

use super::pixels::Pixels;

/// Smallest size (in pixels per em) that auto-fit shrinks the smallest block to.
const MIN_TEXT_PX: f32 = 7.0;
/// Largest size accepted for a block; larger requests are clamped (they could not fit anyway).
const MAX_TEXT_PX: f32 = 4096.0;
/// Bisection steps when searching for the largest common scale that fits.
const FIT_STEPS: u32 = 12;
/// A tab advances by this many spaces.
const TAB_SPACES: f32 = 4.0;
/// Space between consecutive blocks of [`Typesetter::render_blocks`], in ems of the later one.
const BLOCK_GAP_EM: f32 = 0.5;
/// Advance of the box drawn for characters no face covers, in ems.
const TOFU_ADVANCE_EM: f32 = 0.6;
/// Horizontal offset of the second impression of faux-bold text, in ems.
const TITLE_EMBOLDEN_EM: f32 = 0.022;
/// Appended to the last visible line when text had to be clipped.
const ELLIPSIS: char = '\u{2026}';

/// Why a [`Typesetter`] could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypesetError {
    /// The named built-in face could not be parsed.
    InvalidFont { face: &'static str },
}

impl fmt::Display for TypesetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypesetError::InvalidFont { face } => write!(f, "built-in font {face} is not valid"),
        }
    }
}

impl std::error::Error for TypesetError {}

/// Horizontal placement of each line inside its text frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    /// Flush left, ragged right.
    #[default]
    Left,
    /// Each line centred.
    Center,
}

/// How one [`Block`] is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle {
    /// Type size in pixels per em (like CSS `font-size`), before any auto-fit shrinking.
    pub size_px: f32,
    /// sRGB ink colour.
    pub ink: [u8; 3],
    /// Line alignment.
    pub align: Align,
    /// Baseline-to-baseline distance as a multiple of `size_px` (1.2 is a comfortable default).
    pub line_spacing: f32,
}

impl Default for TextStyle {
    fn default() -> Self {
        TextStyle {
            size_px: 24.0,
            ink: [24, 24, 26],
            align: Align::Left,
            line_spacing: 1.25,
        }
    }
}

/// A run of text set in one style. `'\n'` (and U+2028/U+2029) start a new line; an empty
/// block takes no space at all.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub text: String,
    pub style: TextStyle,
}

impl Block {
    /// A block of `text` in `style`.
    pub fn new(text: impl Into<String>, style: TextStyle) -> Block {
        Block {
            text: text.into(),
            style,
        }
    }
}

/// The parsed faces plus the layout and rasterisation logic. Parse once and keep it (it is
/// cheap to clone and `Send + Sync`, so it can live in a Bevy resource).
#[derive(Clone)]
pub struct Typesetter {
    /// Body face first, then fallbacks in the order they are tried.
    faces: Vec<Face>,
    /// Advance of the body face's space, in ems.
    space_em: f32,
    /// Body face ascent (above the baseline, positive) in ems.
    ascent_em: f32,
    /// Body face descent (below the baseline, positive) in ems.
    descent_em: f32,
}

impl fmt::Debug for Typesetter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.faces.iter().map(|face| face.name).collect();
        f.debug_struct("Typesetter").field("faces", &names).finish()
    }
}

impl Typesetter {
    /// Parses the built-in faces. Only the body face is required; a fallback face that fails
    /// to parse is left out (its characters then show as boxes).
    pub fn new() -> Result<Typesetter, TypesetError> {
        let body = Face::parse("Ubuntu Light", epaint_default_fonts::UBUNTU_LIGHT)?;
        let fallbacks = [
            ("Hack", epaint_default_fonts::HACK_REGULAR),
            ("Noto Emoji", epaint_default_fonts::NOTO_EMOJI_REGULAR),
        ];
        let upem = body.units_per_em;
        let space_em = body.font.h_advance_unscaled(body.font.glyph_id(' ')) / upem;
        let ascent_em = body.font.ascent_unscaled() / upem;
        let descent_em = -body.font.descent_unscaled() / upem;
        let mut faces = vec![body];
        faces.extend(
            fallbacks
                .into_iter()
                .filter_map(|(name, data)| Face::parse(name, data).ok()),
        );
        Ok(Typesetter {
            faces,
            space_em: if space_em > 0.0 { space_em } else { 0.25 },
            ascent_em: if ascent_em > 0.0 { ascent_em } else { 0.9 },
            descent_em: if descent_em > 0.0 { descent_em } else { 0.2 },
        })
    }

    /// Width in pixels of `text` set as a single line at `size_px` (advances plus kerning;
    /// line breaks and other control characters count as nothing).
    pub fn measure(&self, text: &str, size_px: f32) -> f32 {
        let size = sanitize_size(size_px);
        let mut pen = Pen::default();
        for ch in text.chars() {
            pen = self.step(pen, self.cell(ch), size).1;
        }
        pen.x
    }

    /// Lays `blocks` out top to bottom inside a `width` × `height` buffer of `paper` colour,
    /// leaving `margin_px` clear on every side, and draws them (anti-aliased, opaque output).
    /// Content that does not fit is shrunk uniformly, then clipped with an ellipsis.
    pub fn render_blocks(
        &self,
        blocks: &[Block],
        width: u32,
        height: u32,
        paper: [u8; 3],
        margin_px: u32,
    ) -> Pixels {
        let runs: Vec<Run<'_>> = blocks
            .iter()
            .map(|block| Run::new(&block.text, block.style, 0.0, BLOCK_GAP_EM))
            .collect();
        self.render_runs(&runs, width, height, paper, margin_px, Placement::TOP)
    }

    /// A museum wall label: the title larger and faux-bold, then the artist line (name, year),
    /// the detail line (medium, dimensions) and, set apart, an optional extra line (price,
    /// score, "sold out"). Dark ink on an off-white card, left aligned, generous margins;
    /// sized for a 2:1 texture such as 512 × 256. Empty lines are left out.
    pub fn plaque(
        &self,
        title: &str,
        artist_line: &str,
        detail_line: &str,
        extra: &str,
        width: u32,
        height: u32,
    ) -> Pixels {
        // Everything is proportional to the card's height (or half its width when wider
        // than 2:1 would allow), so any texture resolution gives the same label.
        let unit = (height as f32).min(width as f32 / 2.0);
        let margin = (unit * 0.1).round() as u32;
        let style = |size: f32, ink: [u8; 3], line_spacing: f32| TextStyle {
            size_px: unit * size,
            ink,
            align: Align::Left,
            line_spacing,
        };
        let runs = [
            Run::new(
                title,
                style(0.145, [16, 16, 18], 1.1),
                TITLE_EMBOLDEN_EM,
                0.0,
            ),
            Run::new(artist_line, style(0.092, [36, 36, 40], 1.28), 0.0, 0.45),
            Run::new(detail_line, style(0.08, [72, 70, 72], 1.28), 0.0, 0.0),
            Run::new(extra, style(0.08, [36, 36, 40], 1.28), 0.0, 0.8),
        ];
        self.render_runs(&runs, width, height, PLAQUE_CARD, margin, Placement::TOP)
    }

    /// A text work (poem, statement): `body` set in `ink` on `paper`, line breaks and
    /// indentation kept, the block as a whole centred on the panel (lines flush left within
    /// it, as poems are hung), shrunk to fit when long.
    pub fn text_panel(
        &self,
        body: &str,
        paper: [u8; 3],
        ink: [u8; 3],
        width: u32,
        height: u32,
    ) -> Pixels {
        let short_side = width.min(height) as f32;
        let margin = (short_side * 0.08).round() as u32;
        let size = (height as f32 / 16.0).min(width as f32 / 20.0);
        let style = TextStyle {
            size_px: size,
            ink,
            align: Align::Left,
            line_spacing: 1.45,
        };
        let runs = [Run::new(body, style, 0.0, 0.0)];
        self.render_runs(&runs, width, height, paper, margin, Placement::CENTRED)
    }

    /// Shared driver: fit, place and draw `runs`.
    fn render_runs(
        &self,
        runs: &[Run<'_>],
        width: u32,
        height: u32,
        paper: [u8; 3],
        margin: u32,
        placement: Placement,
    ) -> Pixels {
        let mut pixels = Pixels::filled(width, height, [paper[0], paper[1], paper[2], 255]);
        let clip = Clip {
            x0: i64::from(margin),
            y0: i64::from(margin),
            x1: i64::from(width) - i64::from(margin),
            y1: i64::from(height) - i64::from(margin),
        };
        if clip.x0 >= clip.x1 || clip.y0 >= clip.y1 {
            return pixels;
        }
        let frame_w = (clip.x1 - clip.x0) as f32;
        let frame_h = (clip.y1 - clip.y0) as f32;
        let layout = self.fit(runs, frame_w, frame_h, placement.keep_lines_down_to);
        if layout.lines.is_empty() {
            return pixels;
        }

        let block_w = if placement.centre_block {
            layout
                .lines
                .iter()
                .fold(0.0_f32, |w, line| w.max(line.width))
        } else {
            frame_w
        };
        let block_x = ((frame_w - block_w) / 2.0).max(0.0);
        let block_y = if placement.centre_vertically {
            ((frame_h - layout.height) / 2.0).max(0.0)
        } else {
            0.0
        };

        for line in &layout.lines {
            let Some(run) = runs.get(line.run) else {
                continue;
            };
            let size = run.size_px * layout.scale;
            let Some(segment) = run.text.get(line.start..line.end) else {
                continue;
            };
            let segment = segment.trim_end();
            let ellipsised;
            let (text, width) = if line.ellipsis {
                ellipsised = self.ellipsise(segment, frame_w - run.embolden_em * size, size);
                (ellipsised.as_str(), self.measure(&ellipsised, size))
            } else {
                (segment, line.width)
            };
            let indent = match run.align {
                Align::Left => 0.0,
                Align::Center => ((block_w - width) / 2.0).max(0.0),
            };
            let line_h = size * run.line_spacing;
            let half_leading = (line_h - (self.ascent_em + self.descent_em) * size) / 2.0;
            let x = clip.x0 as f32 + block_x + indent;
            let baseline =
                clip.y0 as f32 + block_y + line.top + half_leading + self.ascent_em * size;
            let ink = InkLine {
                x: x.round(),
                baseline: baseline.round(),
                size,
                ink: run.ink,
                embolden_px: run.embolden_em * size,
            };
            self.draw_line(&mut pixels, &clip, text, &ink);
        }
        pixels
    }

    /// Finds the largest common scale (at most 1) at which `runs` fit the frame. Preferred,
    /// in order: a scale of at least `keep_lines_down_to` at which no line needs wrapping,
    /// one at which no word is broken, any that fits; failing all, the text is clipped at the
    /// floor scale.
    fn fit(
        &self,
        runs: &[Run<'_>],
        frame_w: f32,
        frame_h: f32,
        keep_lines_down_to: Option<f32>,
    ) -> Layout {
        let full = self.layout(runs, 1.0, frame_w, frame_h);
        let floor = runs
            .iter()
            .filter(|run| run.size_px > 0.0 && !run.text.trim_end().is_empty())
            .fold(1.0_f32, |floor, run| floor.min(MIN_TEXT_PX / run.size_px));
        let goals = [
            keep_lines_down_to.map(|lowest| (Goal::NoWraps, lowest.max(floor).min(1.0))),
            Some((Goal::NoSplitWords, floor)),
            Some((Goal::Fits, floor)),
        ];
        for (goal, lowest) in goals.into_iter().flatten() {
            if goal.met_by(&full) {
                return full;
            }
            let mut best = self.layout(runs, lowest, frame_w, frame_h);
            if !goal.met_by(&best) {
                continue;
            }
            let ok = |layout: &Layout| goal.met_by(layout);
            let (mut lo, mut hi) = (lowest, 1.0_f32);
            for _ in 0..FIT_STEPS {
                let mid = (lo + hi) / 2.0;
                let candidate = self.layout(runs, mid, frame_w, frame_h);
                if ok(&candidate) {
                    lo = mid;
                    best = candidate;
                } else {
                    hi = mid;
                }
            }
            return best;
        }
        let mut clipped = self.layout(runs, floor, frame_w, frame_h);
        if let Some(last) = clipped.lines.last_mut() {
            last.ellipsis = true;
        }
        clipped
    }

    /// Greedy layout of `runs` at `scale`, stopping at the first line that would not fit.
    fn layout(&self, runs: &[Run<'_>], scale: f32, frame_w: f32, frame_h: f32) -> Layout {
        let mut layout = Layout {
            lines: Vec::new(),
            scale,
            height: 0.0,
            fits: true,
            split_words: false,
            wraps: false,
        };
        let mut y = 0.0_f32;
        let mut first = true;
        for (index, run) in runs.iter().enumerate() {
            let text = run.text.trim_end();
            let size = run.size_px * scale;
            if text.is_empty() || size <= 0.0 {
                continue;
            }
            if !first {
                y += run.gap_before_em * size;
            }
            first = false;
            let line_h = size * run.line_spacing;
            let embolden = run.embolden_em * size;
            let max_w = frame_w - embolden;
            let mut start = 0;
            loop {
                if y + line_h > frame_h + 0.01 {
                    layout.fits = false;
                    return layout;
                }
                let brk = self.break_line(text, start, max_w, size);
                layout.split_words |= brk.split_word;
                layout.wraps |= brk.wrapped;
                let content = text.get(start..brk.content_end).unwrap_or("");
                layout.lines.push(LaidLine {
                    run: index,
                    start,
                    end: brk.content_end,
                    top: y,
                    width: self.measure(content.trim_end(), size) + embolden,
                    ellipsis: false,
                });
                y += line_h;
                layout.height = y;
                if brk.next >= text.len() || brk.next <= start {
                    break;
                }
                start = brk.next;
            }
        }
        layout
    }

    /// Finds where the line starting at byte `start` of `text` ends: at a paragraph break, at
    /// the last break opportunity before the line would exceed `max_w`, or (for a word wider
    /// than the line) between two characters. Always makes progress.
    fn break_line(&self, text: &str, start: usize, max_w: f32, size: f32) -> Break {
        let mut pen = Pen::default();
        let mut last_break: Option<(usize, usize)> = None;
        let mut space_start: Option<usize> = None;
        let mut has_ink = false;
        let mut overflow = false;
        let rest = text.get(start..).unwrap_or("");
        for (offset, ch) in rest.char_indices() {
            let at = start + offset;
            if is_paragraph_break(ch) {
                return Break {
                    content_end: at,
                    next: at + ch.len_utf8(),
                    split_word: overflow,
                    wrapped: false,
                };
            }
            let cell = self.cell(ch);
            if is_break_space(ch) {
                space_start.get_or_insert(at);
                pen = self.step(pen, cell, size).1;
                continue;
            }
            if let Some(space) = space_start.take()
                && has_ink
            {
                last_break = Some((space, at));
            }
            let after = self.step(pen, cell, size).1;
            if after.x > max_w {
                if has_ink {
                    return match last_break {
                        Some((content_end, next)) => Break {
                            content_end,
                            next,
                            split_word: overflow,
                            wrapped: true,
                        },
                        None => Break {
                            content_end: at,
                            next: at,
                            split_word: true,
                            wrapped: true,
                        },
                    };
                }
                // Not even one character fits: take it anyway so the layout progresses.
                overflow = true;
            }
            pen = after;
            has_ink = true;
            if is_hyphen(ch) {
                let end = at + ch.len_utf8();
                last_break = Some((end, end));
            }
        }
        Break {
            content_end: text.len(),
            next: text.len(),
            split_word: overflow,
            wrapped: false,
        }
    }

    /// `text` shortened (at the end) so that it plus an ellipsis fits `max_w`.
    fn ellipsise(&self, text: &str, max_w: f32, size: f32) -> String {
        let ellipsis_w = self.measure(&ELLIPSIS.to_string(), size);
        let mut kept = text.trim_end();
        while !kept.is_empty() && self.measure(kept, size) + ellipsis_w > max_w {
            let cut = kept.char_indices().next_back().map_or(0, |(at, _)| at);
            kept = kept[..cut].trim_end();
        }
        let mut out = String::with_capacity(kept.len() + ELLIPSIS.len_utf8());
        out.push_str(kept);
        out.push(ELLIPSIS);
        out
    }

    /// Rasterises one line into a coverage mask clipped to the frame, then blends it.
    fn draw_line(&self, pixels: &mut Pixels, clip: &Clip, text: &str, line: &InkLine) {
        let size = line.size;
        // Generous vertical band: accents and emoji may reach beyond ascent and descent.
        let top = ((line.baseline - 1.4 * size).floor() as i64).max(clip.y0);
        let bottom = ((line.baseline + 0.6 * size).ceil() as i64).min(clip.y1);
        if top >= bottom {
            return;
        }
        let mut mask = Mask::new(clip.x0, top, clip.x1, bottom);
        let mut pen = Pen::default();
        for ch in text.chars() {
            let cell = self.cell(ch);
            let (origin, next) = self.step(pen, cell, size);
            let x = line.x + origin;
            match cell {
                Cell::Glyph { face, id } => {
                    self.draw_glyph(&mut mask, face, id, size, x, line.baseline);
                    if line.embolden_px > 0.0 {
                        let bold_x = x + line.embolden_px;
                        self.draw_glyph(&mut mask, face, id, size, bold_x, line.baseline);
                    }
                }
                Cell::Tofu => draw_tofu(&mut mask, x, line.baseline, size),
                Cell::Space(_) | Cell::Nothing => {}
            }
            pen = next;
        }
        mask.blend_into(pixels, line.ink);
    }

    fn draw_glyph(&self, mask: &mut Mask, face: u8, id: GlyphId, size: f32, x: f32, y: f32) {
        let Some(face) = self.faces.get(usize::from(face)) else {
            return;
        };
        let glyph = id.with_scale_and_position(face.px_scale(size), point(x, y));
        if let Some(outlined) = face.font.outline_glyph(glyph) {
            let bounds = outlined.px_bounds();
            let (left, top) = (bounds.min.x as i64, bounds.min.y as i64);
            // Skip glyphs entirely outside the mask before rasterising them.
            if left >= mask.x1() || top >= mask.y1() {
                return;
            }
            if (bounds.max.x as i64) < mask.x0 || (bounds.max.y as i64) < mask.y0 {
                return;
            }
            outlined.draw(|dx, dy, coverage| {
                mask.cover(left + i64::from(dx), top + i64::from(dy), coverage);
            });
        }
    }

    /// Classifies a character: which face draws it, or how it is spaced or skipped.
    fn cell(&self, ch: char) -> Cell {
        if ch == '\t' {
            return Cell::Space(TAB_SPACES * self.space_em);
        }
        if ch.is_control() || is_invisible(ch) {
            return Cell::Nothing;
        }
        for (index, face) in self.faces.iter().enumerate() {
            let id = face.font.glyph_id(ch);
            if id.0 != 0 {
                return Cell::Glyph {
                    face: index as u8,
                    id,
                };
            }
        }
        if ch.is_whitespace() {
            Cell::Space(self.space_em)
        } else {
            Cell::Tofu
        }
    }

    /// Advances `pen` over `cell`; returns where the cell is drawn and the new pen.
    fn step(&self, pen: Pen, cell: Cell, size: f32) -> (f32, Pen) {
        match cell {
            Cell::Nothing => (pen.x, pen),
            Cell::Glyph { face: index, id } => {
                let Some(face) = self.faces.get(usize::from(index)) else {
                    return (pen.x, pen);
                };
                let kern = match pen.prev {
                    Some((prev_face, prev_id)) if prev_face == index => {
                        face.kern_em(prev_id, id) * size
                    }
                    _ => 0.0,
                };
                let origin = pen.x + kern;
                let advance = face.font.h_advance_unscaled(id) / face.units_per_em * size;
                let next = Pen {
                    x: origin + advance,
                    prev: Some((index, id)),
                };
                (origin, next)
            }
            Cell::Space(em) => (
                pen.x,
                Pen {
                    x: pen.x + em * size,
                    prev: None,
                },
            ),
            Cell::Tofu => (
                pen.x,
                Pen {
                    x: pen.x + TOFU_ADVANCE_EM * size,
                    prev: None,
                },
            ),
        }
    }
}

/// Warm off-white of the plaque card.
const PLAQUE_CARD: [u8; 3] = [244, 241, 234];

/// One parsed face with the metrics layout needs.
#[derive(Clone)]
struct Face {
    name: &'static str,
    font: FontRef<'static>,
    units_per_em: f32,
    /// Ascent minus descent in font units: ab_glyph's `PxScale` is in these, not in ems.
    height_units: f32,
    kerning: Option<GposKerning>,
}

impl Face {
    fn parse(name: &'static str, data: &'static [u8]) -> Result<Face, TypesetError> {
        let font =
            FontRef::try_from_slice(data).map_err(|_| TypesetError::InvalidFont { face: name })?;
        let units_per_em = font.units_per_em().filter(|u| *u > 0.0).unwrap_or(1000.0);
        let height = font.height_unscaled();
        Ok(Face {
            name,
            units_per_em,
            height_units: if height > 0.0 { height } else { units_per_em },
            kerning: GposKerning::parse(data),
            font,
        })
    }

    /// The ab_glyph scale that gives an em of `size` pixels.
    fn px_scale(&self, size: f32) -> PxScale {
        PxScale::from(size * self.height_units / self.units_per_em)
    }

    /// Kerning between two glyphs of this face, in ems.
    fn kern_em(&self, left: GlyphId, right: GlyphId) -> f32 {
        let units = match &self.kerning {
            Some(gpos) => gpos.kern(left.0, right.0),
            None => self.font.kern_unscaled(left, right),
        };
        units / self.units_per_em
    }
}

/// What a character turns into.
#[derive(Debug, Clone, Copy)]
enum Cell {
    /// A glyph of `faces[face]`.
    Glyph { face: u8, id: GlyphId },
    /// Blank advance, in ems.
    Space(f32),
    /// Zero width, invisible.
    Nothing,
    /// Not covered by any face: a box.
    Tofu,
}

/// Horizontal pen position along a line, with the previous glyph for kerning.
#[derive(Debug, Clone, Copy, Default)]
struct Pen {
    x: f32,
    prev: Option<(u8, GlyphId)>,
}

/// A block (or the plaque's private variant of one) ready for layout, with sane numbers.
#[derive(Debug, Clone, Copy)]
struct Run<'a> {
    text: &'a str,
    size_px: f32,
    ink: [u8; 3],
    align: Align,
    line_spacing: f32,
    /// Faux-bold offset in ems (0 for regular).
    embolden_em: f32,
    /// Space above this run when something precedes it, in ems.
    gap_before_em: f32,
}

impl<'a> Run<'a> {
    fn new(text: &'a str, style: TextStyle, embolden_em: f32, gap_before_em: f32) -> Run<'a> {
        let line_spacing = if style.line_spacing.is_finite() {
            style.line_spacing.clamp(0.5, 8.0)
        } else {
            1.2
        };
        Run {
            text,
            size_px: sanitize_size(style.size_px),
            ink: style.ink,
            align: style.align,
            line_spacing,
            embolden_em,
            gap_before_em,
        }
    }
}

/// Non-finite and negative sizes become 0 (nothing drawn); huge ones are clamped.
fn sanitize_size(size: f32) -> f32 {
    if size.is_finite() && size > 0.0 {
        size.min(MAX_TEXT_PX)
    } else {
        0.0
    }
}

/// Where the laid-out block goes inside the frame.
#[derive(Debug, Clone, Copy)]
struct Placement {
    centre_block: bool,
    centre_vertically: bool,
    /// Shrink down to this scale, if need be, to keep each explicit line unwrapped.
    keep_lines_down_to: Option<f32>,
}

impl Placement {
    const TOP: Placement = Placement {
        centre_block: false,
        centre_vertically: false,
        keep_lines_down_to: None,
    };
    /// Poems: a verse line is better a little smaller than broken in two.
    const CENTRED: Placement = Placement {
        centre_block: true,
        centre_vertically: true,
        keep_lines_down_to: Some(0.6),
    };
}

/// Result of [`Typesetter::layout`]: positions relative to the top of the frame.
#[derive(Debug)]
struct Layout {
    lines: Vec<LaidLine>,
    scale: f32,
    /// Height used by the laid-out lines.
    height: f32,
    /// Everything was laid out (otherwise `lines` stops before the first line that overflowed).
    fits: bool,
    /// Some word was broken between characters, or some glyph is wider than the frame.
    split_words: bool,
    /// Some line was wrapped (ended before its explicit line break).
    wraps: bool,
}

/// What auto-fit tries to achieve, from most to least demanding.
#[derive(Debug, Clone, Copy)]
enum Goal {
    /// Fits with every explicit line on one line.
    NoWraps,
    /// Fits without breaking inside a word.
    NoSplitWords,
    /// Fits.
    Fits,
}

impl Goal {
    fn met_by(self, layout: &Layout) -> bool {
        layout.fits
            && match self {
                Goal::NoWraps => !layout.wraps && !layout.split_words,
                Goal::NoSplitWords => !layout.split_words,
                Goal::Fits => true,
            }
    }
}

#[derive(Debug, Clone, Copy)]
struct LaidLine {
    run: usize,
    /// Byte range of the line in the run's text.
    start: usize,
    end: usize,
    /// Top of the line box.
    top: f32,
    /// Advance width of the line without trailing spaces.
    width: f32,
    /// Text continues beyond this line but was clipped: end it with an ellipsis.
    ellipsis: bool,
}

/// Where a line ends (`content_end`) and the next begins (`next`), as byte offsets.
#[derive(Debug, Clone, Copy)]
struct Break {
    content_end: usize,
    next: usize,
    split_word: bool,
    /// The line ended because the next word did not fit (not at a line break).
    wrapped: bool,
}

/// The frame in buffer pixels, half-open.
#[derive(Debug, Clone, Copy)]
struct Clip {
    x0: i64,
    y0: i64,
    x1: i64,
    y1: i64,
}

/// Everything `draw_line` needs besides the text.
#[derive(Debug, Clone, Copy)]
struct InkLine {
    x: f32,
    baseline: f32,
    size: f32,
    ink: [u8; 3],
    embolden_px: f32,
}

/// Coverage (0–1) for a rectangle of the buffer; overlapping marks keep the larger value.
struct Mask {
    x0: i64,
    y0: i64,
    width: usize,
    height: usize,
    coverage: Vec<f32>,
}

impl Mask {
    fn new(x0: i64, y0: i64, x1: i64, y1: i64) -> Mask {
        let width = usize::try_from(x1 - x0).unwrap_or(0);
        let height = usize::try_from(y1 - y0).unwrap_or(0);
        Mask {
            x0,
            y0,
            width,
            height,
            coverage: vec![0.0; width * height],
        }
    }

    fn x1(&self) -> i64 {
        self.x0 + self.width as i64
    }

    fn y1(&self) -> i64 {
        self.y0 + self.height as i64
    }

    fn cover(&mut self, x: i64, y: i64, coverage: f32) {
        let (Ok(dx), Ok(dy)) = (usize::try_from(x - self.x0), usize::try_from(y - self.y0)) else {
            return;
        };
        if dx >= self.width || dy >= self.height {
            return;
        }
        if let Some(cell) = self.coverage.get_mut(dy * self.width + dx)
            && coverage > *cell
        {
            *cell = coverage.min(1.0);
        }
    }

    /// Covers the rectangle [x0, x1) × [y0, y1) with exact-area anti-aliasing.
    fn fill_rect(&mut self, x0: f32, y0: f32, x1: f32, y1: f32) {
        if !(x0 < x1 && y0 < y1) {
            return;
        }
        let (first_x, last_x) = (x0.floor() as i64, x1.ceil() as i64);
        let (first_y, last_y) = (y0.floor() as i64, y1.ceil() as i64);
        for py in first_y.max(self.y0)..last_y.min(self.y1()) {
            let cover_y = (y1.min(py as f32 + 1.0) - y0.max(py as f32)).max(0.0);
            for px in first_x.max(self.x0)..last_x.min(self.x1()) {
                let cover_x = (x1.min(px as f32 + 1.0) - x0.max(px as f32)).max(0.0);
                self.cover(px, py, cover_x * cover_y);
            }
        }
    }

    /// Blends `ink` over the buffer by coverage (in sRGB space, like most text renderers,
    /// which keeps the light face from looking washed out).
    fn blend_into(&self, pixels: &mut Pixels, ink: [u8; 3]) {
        let stride = pixels.width as usize;
        for (row, line) in self.coverage.chunks(self.width.max(1)).enumerate() {
            let y = self.y0 + row as i64;
            for (column, &coverage) in line.iter().enumerate() {
                if coverage <= 0.0 {
                    continue;
                }
                let x = self.x0 + column as i64;
                let (Ok(x), Ok(y)) = (usize::try_from(x), usize::try_from(y)) else {
                    continue;
                };
                if x >= stride {
                    continue;
                }
                let at = (y * stride + x) * 4;
                let Some(pixel) = pixels.rgba.get_mut(at..at + 3) else {
                    continue;
                };
                let alpha = coverage.min(1.0);
                for (channel, &target) in pixel.iter_mut().zip(&ink) {
                    let base = f32::from(*channel);
                    let mixed = base + (f32::from(target) - base) * alpha;
                    *channel = mixed.round().clamp(0.0, 255.0) as u8;
                }
            }
        }
    }
}

/// A hollow box standing in for a character that no face covers.
fn draw_tofu(mask: &mut Mask, x: f32, baseline: f32, size: f32) {
    let stroke = (size * 0.06).max(1.0);
    let (left, right) = (x + 0.08 * size, x + (TOFU_ADVANCE_EM - 0.08) * size);
    let (top, bottom) = (baseline - 0.7 * size, baseline);
    mask.fill_rect(left, top, right, top + stroke);
    mask.fill_rect(left, bottom - stroke, right, bottom);
    mask.fill_rect(left, top, left + stroke, bottom);
    mask.fill_rect(right - stroke, top, right, bottom);
}

/// Characters that end a line.
fn is_paragraph_break(ch: char) -> bool {
    matches!(ch, '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Spaces where a line may wrap (no-break spaces excluded).
fn is_break_space(ch: char) -> bool {
    ch == ' '
        || ch == '\t'
        || (ch.is_whitespace()
            && !ch.is_control()
            && !is_paragraph_break(ch)
            && !matches!(ch, '\u{a0}' | '\u{2007}' | '\u{202f}'))
}

/// Characters after which a line may wrap.
fn is_hyphen(ch: char) -> bool {
    matches!(ch, '-' | '\u{2010}' | '\u{2013}' | '\u{2014}')
}

/// Format characters and selectors that have no visible form of their own.
fn is_invisible(ch: char) -> bool {
    matches!(ch,
        '\u{ad}' | '\u{34f}' | '\u{61c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
        | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}'
        | '\u{fff0}'..='\u{fff8}' | '\u{1bca0}'..='\u{1bca3}' | '\u{1d173}'..='\u{1d17a}'
        | '\u{e0000}'..='\u{e0fff}')
}

/// Horizontal pair kerning from an OpenType `GPOS` table: the pair-adjustment lookups (type 2,
/// directly or through extension lookups) of the `kern` feature. Only the first glyph's
/// x-advance adjustment is used, which is what kerning pairs carry.
#[derive(Clone)]
struct GposKerning {
    /// The `GPOS` table.
    table: &'static [u8],
    /// Per lookup, in lookup-list order: offsets (into `table`) of its pair subtables.
    lookups: Vec<Vec<usize>>,
}

impl GposKerning {
    fn parse(font: &'static [u8]) -> Option<GposKerning> {
        let table = sfnt_table(font, *b"GPOS")?;
        let script_list = usize::from(read_u16(table, 4)?);
        let feature_list = usize::from(read_u16(table, 6)?);
        let lookup_list = usize::from(read_u16(table, 8)?);

        // Features tagged `kern`, by feature index.
        let feature_count = usize::from(read_u16(table, feature_list)?);
        let kern_features: Vec<usize> = (0..feature_count)
            .filter(|&i| {
                table.get(feature_list + 2 + 6 * i..feature_list + 6 + 6 * i) == Some(b"kern")
            })
            .collect();
        if kern_features.is_empty() {
            return None;
        }
        // Prefer the features the Latin (else default) script enables; else all of them.
        let mut chosen = script_features(table, script_list, *b"latn")
            .or_else(|| script_features(table, script_list, *b"DFLT"))
            .map(|enabled| {
                kern_features
                    .iter()
                    .copied()
                    .filter(|f| enabled.contains(f))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        if chosen.is_empty() {
            chosen = kern_features;
        }

        let mut lookup_indices = Vec::new();
        for feature in chosen {
            let record = feature_list + 2 + 6 * feature;
            let feature_table = feature_list + usize::from(read_u16(table, record + 4)?);
            let count = usize::from(read_u16(table, feature_table + 2)?);
            for i in 0..count {
                lookup_indices.push(usize::from(read_u16(table, feature_table + 4 + 2 * i)?));
            }
        }
        lookup_indices.sort_unstable();
        lookup_indices.dedup();

        let mut lookups = Vec::new();
        for index in lookup_indices {
            let lookup = lookup_list + usize::from(read_u16(table, lookup_list + 2 + 2 * index)?);
            let kind = read_u16(table, lookup)?;
            let count = usize::from(read_u16(table, lookup + 4)?);
            let mut subtables = Vec::new();
            for i in 0..count {
                let sub = lookup + usize::from(read_u16(table, lookup + 6 + 2 * i)?);
                match kind {
                    2 => subtables.push(sub),
                    9 if read_u16(table, sub) == Some(1) && read_u16(table, sub + 2) == Some(2) => {
                        let offset = usize::try_from(read_u32(table, sub + 4)?).ok()?;
                        subtables.push(sub + offset);
                    }
                    _ => {}
                }
            }
            if !subtables.is_empty() {
                lookups.push(subtables);
            }
        }
        (!lookups.is_empty()).then_some(GposKerning { table, lookups })
    }

    /// Kerning between `left` and `right` in font units.
    fn kern(&self, left: u16, right: u16) -> f32 {
        let mut total = 0.0;
        for lookup in &self.lookups {
            // The first subtable that applies wins within a lookup.
            if let Some(value) = lookup.iter().find_map(|&sub| self.pair(sub, left, right)) {
                total += value;
            }
        }
        total
    }

    fn pair(&self, sub: usize, left: u16, right: u16) -> Option<f32> {
        let t = self.table;
        let format = read_u16(t, sub)?;
        let coverage = sub + usize::from(read_u16(t, sub + 2)?);
        let (format1, format2) = (read_u16(t, sub + 4)?, read_u16(t, sub + 6)?);
        let covered = coverage_index(t, coverage, left)?;
        let (size1, size2) = (value_record_size(format1), value_record_size(format2));
        match format {
            1 => {
                let set_count = usize::from(read_u16(t, sub + 8)?);
                if covered >= set_count {
                    return None;
                }
                let set = sub + usize::from(read_u16(t, sub + 10 + 2 * covered)?);
                let count = usize::from(read_u16(t, set)?);
                let stride = 2 + size1 + size2;
                let found = binary_search(count, right, |i| {
                    let glyph = read_u16(t, set + 2 + i * stride)?;
                    Some((glyph, glyph))
                })?;
                x_advance(t, set + 2 + found * stride + 2, format1)
            }
            2 => {
                let class_def1 = sub + usize::from(read_u16(t, sub + 8)?);
                let class_def2 = sub + usize::from(read_u16(t, sub + 10)?);
                let class1_count = usize::from(read_u16(t, sub + 12)?);
                let class2_count = usize::from(read_u16(t, sub + 14)?);
                let class1 = glyph_class(t, class_def1, left)?;
                let class2 = glyph_class(t, class_def2, right)?;
                if class1 >= class1_count || class2 >= class2_count {
                    return None;
                }
                let record = sub + 16 + (class1 * class2_count + class2) * (size1 + size2);
                x_advance(t, record, format1)
            }
            _ => None,
        }
    }
}

/// The enabled feature indices of `script`'s default language system.
fn script_features(table: &[u8], script_list: usize, script: [u8; 4]) -> Option<Vec<usize>> {
    let count = usize::from(read_u16(table, script_list)?);
    let record = (0..count)
        .map(|i| script_list + 2 + 6 * i)
        .find(|&r| table.get(r..r + 4) == Some(&script[..]))?;
    let script_table = script_list + usize::from(read_u16(table, record + 4)?);
    let default_lang = usize::from(read_u16(table, script_table)?);
    if default_lang == 0 {
        return None;
    }
    let lang = script_table + default_lang;
    let feature_count = usize::from(read_u16(table, lang + 4)?);
    (0..feature_count)
        .map(|i| read_u16(table, lang + 6 + 2 * i).map(usize::from))
        .collect()
}

/// Bytes of a value record with the given format: two per set bit of the low byte.
fn value_record_size(format: u16) -> usize {
    2 * (format & 0xff).count_ones() as usize
}

/// The x-advance field of the value record at `record`, or 0 when the format omits it.
fn x_advance(table: &[u8], record: usize, format: u16) -> Option<f32> {
    if format & 0x0004 == 0 {
        return Some(0.0);
    }
    let offset = 2 * (format & 0x0003).count_ones() as usize;
    read_u16(table, record + offset).map(|raw| f32::from(raw as i16))
}

/// Coverage index of `glyph` in the coverage table at `at`.
fn coverage_index(table: &[u8], at: usize, glyph: u16) -> Option<usize> {
    let count = usize::from(read_u16(table, at + 2)?);
    match read_u16(table, at)? {
        1 => binary_search(count, glyph, |i| {
            let g = read_u16(table, at + 4 + 2 * i)?;
            Some((g, g))
        }),
        2 => {
            let range = binary_search(count, glyph, |i| {
                Some((
                    read_u16(table, at + 4 + 6 * i)?,
                    read_u16(table, at + 6 + 6 * i)?,
                ))
            })?;
            let first = read_u16(table, at + 4 + 6 * range)?;
            let base = read_u16(table, at + 8 + 6 * range)?;
            Some(usize::from(base) + usize::from(glyph - first))
        }
        _ => None,
    }
}

/// Class of `glyph` in the class definition table at `at` (0 when unlisted).
fn glyph_class(table: &[u8], at: usize, glyph: u16) -> Option<usize> {
    match read_u16(table, at)? {
        1 => {
            let first = read_u16(table, at + 2)?;
            let count = read_u16(table, at + 4)?;
            match glyph.checked_sub(first) {
                Some(i) if i < count => {
                    read_u16(table, at + 6 + 2 * usize::from(i)).map(usize::from)
                }
                _ => Some(0),
            }
        }
        2 => {
            let count = usize::from(read_u16(table, at + 2)?);
            let found = binary_search(count, glyph, |i| {
                Some((
                    read_u16(table, at + 4 + 6 * i)?,
                    read_u16(table, at + 6 + 6 * i)?,
                ))
            });
            match found {
                Some(range) => read_u16(table, at + 8 + 6 * range).map(usize::from),
                None => Some(0),
            }
        }
        _ => Some(0),
    }
}

/// Index of the entry whose inclusive glyph range (from `range`) holds `glyph`, among `count`
/// entries sorted by glyph.
fn binary_search(
    count: usize,
    glyph: u16,
    range: impl Fn(usize) -> Option<(u16, u16)>,
) -> Option<usize> {
    let (mut lo, mut hi) = (0, count);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let (first, last) = range(mid)?;
        if glyph < first {
            hi = mid;
        } else if glyph > last {
            lo = mid + 1;
        } else {
            return Some(mid);
        }
    }
    None
}

/// The table tagged `tag` in an sfnt (TrueType/OpenType) font file.
fn sfnt_table(font: &[u8], tag: [u8; 4]) -> Option<&[u8]> {
    let count = usize::from(read_u16(font, 4)?);
    (0..count).find_map(|i| {
        let record = 12 + 16 * i;
        if font.get(record..record + 4)? != tag {
            return None;
        }
        let offset = usize::try_from(read_u32(font, record + 8)?).ok()?;
        let length = usize::try_from(read_u32(font, record + 12)?).ok()?;
        font.get(offset..offset.checked_add(length)?)
    })
}

fn read_u16(data: &[u8], at: usize) -> Option<u16> {
    let bytes = data.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([bytes[0], bytes[1]]))
}

fn read_u32(data: &[u8], at: usize) -> Option<u32> {
    let bytes = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAPER: [u8; 3] = [240, 236, 228];
    const INK: [u8; 3] = [20, 20, 24];

    fn typesetter() -> Typesetter {
        Typesetter::new().expect("the built-in faces parse")
    }

    fn style(size_px: f32) -> TextStyle {
        TextStyle {
            size_px,
            ink: INK,
            align: Align::Left,
            line_spacing: 1.25,
        }
    }

    /// Whether the pixel at (x, y) is clearly darker than `paper`.
    fn is_ink(pixels: &Pixels, x: u32, y: u32, paper: [u8; 3]) -> bool {
        let [r, g, b, _] = pixels.get(x, y);
        let sum = |c: [u8; 3]| u32::from(c[0]) + u32::from(c[1]) + u32::from(c[2]);
        sum(paper) > sum([r, g, b]) + 60
    }

    fn ink_count(pixels: &Pixels, paper: [u8; 3]) -> usize {
        (0..pixels.height)
            .flat_map(|y| (0..pixels.width).map(move |x| (x, y)))
            .filter(|&(x, y)| is_ink(pixels, x, y, paper))
            .count()
    }

    /// Number of separate horizontal bands of rows that hold ink (≈ lines of text).
    fn ink_bands(pixels: &Pixels, paper: [u8; 3]) -> usize {
        let rows: Vec<bool> = (0..pixels.height)
            .map(|y| (0..pixels.width).any(|x| is_ink(pixels, x, y, paper)))
            .collect();
        rows.windows(2).filter(|w| !w[0] && w[1]).count() + usize::from(rows[0])
    }

    /// Every pixel within `margin` of an edge is exactly `paper`, and every pixel is opaque.
    fn margins_clean(pixels: &Pixels, paper: [u8; 3], margin: u32) -> bool {
        let expected = [paper[0], paper[1], paper[2], 255];
        (0..pixels.height).all(|y| {
            (0..pixels.width).all(|x| {
                let inside = x >= margin
                    && y >= margin
                    && x + margin < pixels.width
                    && y + margin < pixels.height;
                let pixel = pixels.get(x, y);
                pixel[3] == 255 && (inside || pixel == expected)
            })
        })
    }

    #[test]
    fn builds_and_can_live_in_a_resource() {
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<Typesetter>();
        let t = typesetter();
        assert_eq!(t.faces.len(), 3, "{t:?}");
    }

    #[test]
    fn plaque_draws_ink_inside_its_margins() {
        let t = typesetter();
        let p = t.plaque(
            "The Night Café",
            "Vincent van Gogh, 1888",
            "Oil on canvas",
            "Sold out",
            512,
            256,
        );
        assert_eq!((p.width, p.height, p.rgba.len()), (512, 256, 512 * 256 * 4));
        assert!(ink_count(&p, PLAQUE_CARD) > 1500);
        assert!(margins_clean(&p, PLAQUE_CARD, 25));
        assert_eq!(ink_bands(&p, PLAQUE_CARD), 4);
    }

    #[test]
    fn empty_text_leaves_the_paper_untouched() {
        let t = typesetter();
        let card = [PLAQUE_CARD[0], PLAQUE_CARD[1], PLAQUE_CARD[2], 255];
        assert_eq!(
            t.plaque("", "", "", "", 64, 32),
            Pixels::filled(64, 32, card)
        );
        let blocks = [
            Block::new("", style(20.0)),
            Block::new(" \n\t\u{200b}\r\n", style(20.0)),
        ];
        let paper = [PAPER[0], PAPER[1], PAPER[2], 255];
        let p = t.render_blocks(&blocks, 80, 40, PAPER, 4);
        assert_eq!(p, Pixels::filled(80, 40, paper));
        assert_eq!(ink_count(&t.text_panel("", PAPER, INK, 50, 50), PAPER), 0);
    }

    #[test]
    fn long_text_wraps_within_the_margins() {
        let t = typesetter();
        let text = "A long museum wall text that talks at length about brushwork, light and \
                    the quiet of the room, breaking Supercalifragilisticexpialidociously long \
                    words when they are wider than the column.";
        let p = t.render_blocks(&[Block::new(text, style(18.0))], 220, 300, PAPER, 20);
        assert!(ink_bands(&p, PAPER) >= 6, "{}", ink_bands(&p, PAPER));
        assert!(margins_clean(&p, PAPER, 20));
        let word = "x".repeat(200);
        let p = t.render_blocks(&[Block::new(word, style(18.0))], 120, 300, PAPER, 10);
        assert!(ink_bands(&p, PAPER) >= 3);
        assert!(margins_clean(&p, PAPER, 10));
    }

    #[test]
    fn ink_is_clipped_to_the_frame_even_when_lines_overlap() {
        let t = typesetter();
        let cramped = TextStyle {
            line_spacing: 0.1,
            ..style(40.0)
        };
        let text = "ÄÖÜ gjpqy\nÅÉÎ gjpqy";
        let p = t.render_blocks(&[Block::new(text, cramped)], 200, 100, PAPER, 20);
        assert!(ink_count(&p, PAPER) > 200);
        assert!(margins_clean(&p, PAPER, 20));
    }

    #[test]
    fn explicit_newlines_make_lines() {
        let t = typesetter();
        let one = t.render_blocks(
            &[Block::new("sea salt wind", style(16.0))],
            300,
            120,
            PAPER,
            8,
        );
        let three = t.render_blocks(
            &[Block::new("sea\nsalt\r\nwind", style(16.0))],
            300,
            120,
            PAPER,
            8,
        );
        assert_eq!(ink_bands(&one, PAPER), 1);
        assert_eq!(ink_bands(&three, PAPER), 3);
        let stanza = t.render_blocks(
            &[Block::new("sea\n\nwind", style(16.0))],
            300,
            120,
            PAPER,
            8,
        );
        let rows = |p: &Pixels| {
            (0..p.height)
                .filter(|&y| (0..p.width).any(|x| is_ink(p, x, y, PAPER)))
                .fold((u32::MAX, 0), |(lo, hi), y| (lo.min(y), hi.max(y)))
        };
        let (top, bottom) = rows(&stanza);
        assert!(
            bottom - top > 40,
            "a blank line keeps its height: {top}..{bottom}"
        );
    }

    #[test]
    fn long_poem_shrinks_to_fit() {
        let t = typesetter();
        let poem: String = (0..30)
            .map(|i| format!("verse {i} of the long poem\n"))
            .collect();
        let runs = [Run::new(&poem, style(30.0), 0.0, 0.0)];
        let layout = t.fit(&runs, 360.0, 360.0, None);
        assert!(
            layout.fits && layout.scale < 0.5 && layout.scale > 0.2,
            "{}",
            layout.scale
        );
        assert!(layout.height <= 360.0);
        assert_eq!(layout.lines.len(), 30);
        assert!(layout.lines.iter().all(|line| !line.ellipsis));
        let p = t.render_blocks(&[Block::new(poem, style(30.0))], 400, 400, PAPER, 20);
        assert_eq!(ink_bands(&p, PAPER), 30);
        assert!(margins_clean(&p, PAPER, 20));
    }

    #[test]
    fn endless_poem_is_clipped_with_an_ellipsis() {
        let t = typesetter();
        let poem: String = (0..500).map(|i| format!("line {i}\n")).collect();
        let runs = [Run::new(&poem, style(24.0), 0.0, 0.0)];
        let layout = t.fit(&runs, 200.0, 100.0, None);
        assert!(!layout.fits);
        assert!((layout.scale * 24.0 - MIN_TEXT_PX).abs() < 0.01);
        assert!(layout.lines.last().is_some_and(|line| line.ellipsis));
        let p = t.render_blocks(&[Block::new(poem, style(24.0))], 220, 120, PAPER, 10);
        assert!(margins_clean(&p, PAPER, 10));
        assert!(ink_count(&p, PAPER) > 100);
    }

    #[test]
    fn text_panel_prefers_shrinking_to_wrapping_a_verse() {
        let t = typesetter();
        let poem = "short\na verse line that is much too long for the panel\nshort";
        let runs = [Run::new(poem, style(40.0), 0.0, 0.0)];
        let layout = t.fit(&runs, 600.0, 400.0, Placement::CENTRED.keep_lines_down_to);
        assert!(!layout.wraps && layout.scale >= 0.6 && layout.scale < 1.0);
        assert_eq!(layout.lines.len(), 3);
        let p = t.text_panel(poem, PAPER, INK, 640, 480);
        assert_eq!(ink_bands(&p, PAPER), 3);
    }

    #[test]
    fn hostile_input_never_panics() {
        let t = typesetter();
        let inputs = [
            "\0\x07\x1b[31mred\x1b[0m\x08\x7f",
            "\r\n\r\n\u{85}\u{2028}\u{2029}\u{b}\u{c}",
            "👩\u{200d}👩\u{200d}👧 👍🏽 ❤\u{fe0f} 🇫🇷 🎨🖼",
            "美術館の夜 미술관 画廊",
            "مرحبا بالعالم שלום",
            "e\u{301}\u{302}\u{303}\u{304} \u{301}\u{301}",
            "\u{e000}\u{fffd}\u{ffff}\u{10ffff}\u{feff}\u{ad}",
            "\t\ttabbed\u{a0}no-break\u{3000}ideographic",
            "-—–-—–-—–-—–-—–-—–-—–-—–-—–-—–-—–-—–-—–-—–-—–",
        ];
        for text in inputs {
            let _ = t.measure(text, 20.0);
            let _ = t.plaque(text, text, text, text, 256, 128);
            let _ = t.text_panel(text, PAPER, INK, 128, 128);
        }
        let odd_sizes = [f32::NAN, f32::INFINITY, -5.0, 0.0, 1e-6, 1e9];
        for size_px in odd_sizes {
            let style = TextStyle {
                size_px,
                line_spacing: size_px,
                ..style(1.0)
            };
            let p = t.render_blocks(&[Block::new("Odd sizes", style)], 100, 50, PAPER, 5);
            assert!(margins_clean(&p, PAPER, 5));
            assert!(t.measure("Odd", size_px).is_finite());
        }
        for (w, h, margin) in [(0, 0, 0), (1, 1, 0), (10, 10, 5), (10, 10, 40), (3, 500, 1)] {
            let p = t.render_blocks(&[Block::new("tiny", style(12.0))], w, h, PAPER, margin);
            assert_eq!(p.rgba.len(), w as usize * h as usize * 4);
            let _ = t.plaque("Title", "Artist", "Medium", "Extra", w, h);
            let _ = t.text_panel("Poem\nlines", PAPER, INK, w, h);
        }
    }

    #[test]
    fn megabyte_inputs_are_handled_quickly() {
        let t = typesetter();
        let megabyte = 1 << 20;
        let words = "word ".repeat(megabyte / 5);
        let one_word = "x".repeat(megabyte);
        let lines = "a\n".repeat(megabyte / 2);
        for text in [&words, &one_word, &lines] {
            let p = t.render_blocks(&[Block::new(text.as_str(), style(16.0))], 128, 64, PAPER, 4);
            assert!(margins_clean(&p, PAPER, 4));
            assert!(ink_count(&p, PAPER) > 0);
            let _ = t.text_panel(text, PAPER, INK, 128, 64);
        }
    }

    #[test]
    fn output_is_deterministic() {
        let a = typesetter().plaque("Water Lilies", "Claude Monet, 1906", "Oil", "", 256, 128);
        let b = typesetter().plaque("Water Lilies", "Claude Monet, 1906", "Oil", "", 256, 128);
        assert_eq!(a.fingerprint(), b.fingerprint());
    }

    #[test]
    fn measure_uses_advances_and_kerning() {
        let t = typesetter();
        assert_eq!(t.measure("", 20.0), 0.0);
        assert_eq!(t.measure("\n\r\u{200b}", 20.0), 0.0);
        let word = t.measure("Gallery", 10.0);
        assert!(word > 20.0 && word < 60.0, "{word}");
        assert!((t.measure("Gallery", 30.0) - 3.0 * word).abs() < 0.01);
        let tab = t.measure("\t", 20.0);
        assert!((tab - 4.0 * t.measure(" ", 20.0)).abs() < 0.01 && tab > 0.0);
        // Ubuntu kerns these pairs in GPOS only.
        for (pair, a, b) in [("AV", "A", "V"), ("To", "T", "o")] {
            let gap = t.measure(pair, 100.0) - t.measure(a, 100.0) - t.measure(b, 100.0);
            assert!(gap < -2.0, "{pair}: {gap}");
        }
    }

    #[test]
    fn fallback_glyphs_and_boxes_are_drawn() {
        let t = typesetter();
        for text in ["🎨", "日", "→"] {
            let p = t.render_blocks(&[Block::new(text, style(24.0))], 48, 48, PAPER, 4);
            assert!(ink_count(&p, PAPER) > 10, "{text}");
        }
        let zero_width = "\u{200b}\u{fe0f}\u{7}";
        let p = t.render_blocks(&[Block::new(zero_width, style(24.0))], 48, 48, PAPER, 4);
        assert_eq!(ink_count(&p, PAPER), 0);
    }

    #[test]
    fn centred_lines_are_balanced() {
        let t = typesetter();
        let centred = TextStyle {
            align: Align::Center,
            ..style(24.0)
        };
        let p = t.render_blocks(&[Block::new("HIH", centred)], 300, 60, PAPER, 10);
        let columns: Vec<u32> = (0..p.width)
            .filter(|&x| (0..p.height).any(|y| is_ink(&p, x, y, PAPER)))
            .collect();
        let (left, right) = (columns[0], p.width - 1 - columns[columns.len() - 1]);
        assert!(left.abs_diff(right) <= 4, "{left} vs {right}");
    }

    #[test]
    fn faux_bold_adds_weight() {
        let t = typesetter();
        let regular = [Run::new("Title", style(32.0), 0.0, 0.0)];
        let bold = [Run::new("Title", style(32.0), TITLE_EMBOLDEN_EM, 0.0)];
        let draw = |runs: &[Run<'_>]| t.render_runs(runs, 160, 60, PAPER, 4, Placement::TOP);
        assert!(ink_count(&draw(&bold), PAPER) > ink_count(&draw(&regular), PAPER) * 11 / 10);
    }
}
