//! Image statistics of every work's content, drawn the way the gallery shows it: image files
//! decoded, generative works rendered, text works typeset (sculptures have none).

use std::collections::BTreeMap;

use super::features::ImageStats;
use crate::gallery::pixels::Pixels;
use crate::gallery::{generative, typeset};
use crate::level::Level;
use crate::level::schema::WorkKind;

/// Edge of the renders used for statistics: enough for luminance, contrast, colour and edges,
/// cheap enough to do at every start.
pub const STATS_SIZE: u32 = 128;

/// Statistics per work id. `read` supplies the bytes of an asset path (relative to the
/// exhibition root); works whose content cannot be had are left out (and get imputed values).
pub fn content_stats(
    level: &Level,
    read: impl Fn(&str) -> Result<Vec<u8>, String>,
) -> BTreeMap<String, ImageStats> {
    let setter = typeset::Typesetter::new().ok();
    let mut out = BTreeMap::new();
    for work in &level.works {
        let pixels = match &work.kind {
            WorkKind::Image { path } => read(path).ok().and_then(|bytes| decode(&bytes)),
            WorkKind::Generative {
                algorithm,
                seed,
                params,
                ..
            } => generative::render(algorithm, *seed, params, STATS_SIZE).ok(),
            WorkKind::Text { body, paper, ink } => setter.as_ref().map(|s| {
                let aspect = (work.size.1 / work.size.0.max(0.01)).clamp(0.2, 5.0);
                let h = ((STATS_SIZE as f32) * aspect) as u32;
                s.text_panel(body, paper.0, ink.0, STATS_SIZE, h.max(16))
            }),
            WorkKind::Sculpture { .. } => None,
        };
        if let Some(stats) = pixels.as_ref().and_then(ImageStats::of) {
            out.insert(work.id.clone(), stats);
        }
    }
    out
}

/// PNG or JPEG bytes to pixels (desktop; the browser build measures its loaded textures).
fn decode(bytes: &[u8]) -> Option<Pixels> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let image = image::load_from_memory(bytes).ok()?.to_rgba8();
        Some(Pixels {
            width: image.width(),
            height: image.height(),
            rgba: image.into_raw(),
        })
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = bytes;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_but_sculpture_gets_statistics() {
        let level = crate::level::parse(&std::fs::read("levels/small.ron").unwrap()).unwrap();
        let stats = content_stats(&level, |p| std::fs::read(p).map_err(|e| e.to_string()));
        for work in &level.works {
            let has = stats.contains_key(&work.id);
            let sculpture = matches!(work.kind, WorkKind::Sculpture { .. });
            assert_eq!(has, !sculpture, "{}", work.id);
        }
        // A missing file only leaves that work out.
        let none = content_stats(&level, |_| Err("gone".into()));
        assert!(none.len() < stats.len());
    }
}
