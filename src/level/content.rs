//! What a work's content is, as bytes, for proof of authorship: the hash a registration records.
//!
//! Images and glTF sculptures are their file's bytes; everything drawn at load time is a
//! canonical text of the parameters that draw it, so the same work always hashes the same.

use std::collections::BTreeMap;
use std::fmt::Write;

use sha2::{Digest, Sha256};

use super::check::AssetBytes;
use super::schema::{Level, SculptureSource, Work, WorkKind};

/// The canonical source bytes of `work`; `file` is the referenced file's bytes for images and
/// glTF sculptures (`None` when it could not be read).
pub fn source_bytes(work: &Work, file: Option<&[u8]>) -> Option<Vec<u8>> {
    kind_source_bytes(&work.kind, file)
}

/// [`source_bytes`] of a work of this kind: only what the work is made of counts, never its
/// title, artist or terms (the studio hashes candidates before they have any).
pub fn kind_source_bytes(kind: &WorkKind, file: Option<&[u8]>) -> Option<Vec<u8>> {
    let mut text = String::new();
    match kind {
        WorkKind::Image { .. }
        | WorkKind::Sculpture {
            source: SculptureSource::Gltf { .. },
            ..
        } => return file.map(<[u8]>::to_vec),
        WorkKind::Generative {
            algorithm,
            seed,
            params,
            resolution,
        } => {
            let _ = write!(text, "generative\n{algorithm}\n{seed}\n{resolution}\n");
            write_params(&mut text, params);
        }
        WorkKind::Sculpture {
            source: SculptureSource::Procedural { shape, params },
            color,
            metallic,
            roughness,
        } => {
            let _ = write!(
                text,
                "sculpture\n{shape}\n{color}\n{metallic}\n{roughness}\n"
            );
            write_params(&mut text, params);
        }
        WorkKind::Text { body, paper, ink } => {
            let _ = write!(text, "text\n{paper}\n{ink}\n{body}");
        }
    }
    Some(text.into_bytes())
}

fn write_params(text: &mut String, params: &BTreeMap<String, f64>) {
    for (name, value) in params {
        // `{:?}` prints the shortest text that reads back as the same f64.
        let _ = writeln!(text, "{name}={value:?}");
    }
}

/// SHA-256 of [`source_bytes`].
pub fn content_hash(work: &Work, file: Option<&[u8]>) -> Option<[u8; 32]> {
    kind_content_hash(&work.kind, file)
}

/// SHA-256 of [`kind_source_bytes`].
pub fn kind_content_hash(kind: &WorkKind, file: Option<&[u8]>) -> Option<[u8; 32]> {
    kind_source_bytes(kind, file).map(|bytes| Sha256::digest(bytes).into())
}

/// Content hashes of every work whose source could be read, by work id.
pub fn content_hashes(level: &Level, assets: &AssetBytes) -> BTreeMap<String, [u8; 32]> {
    level
        .works
        .iter()
        .filter_map(|work| {
            let file = match &work.kind {
                WorkKind::Image { path }
                | WorkKind::Sculpture {
                    source: SculptureSource::Gltf { path },
                    ..
                } => match assets.get(path) {
                    Some(Ok(bytes)) => Some(bytes.as_slice()),
                    _ => None,
                },
                _ => None,
            };
            Some((work.id.clone(), content_hash(work, file)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level::parse;

    fn level() -> Level {
        let text = std::fs::read("levels/small.ron").unwrap();
        parse(&text).unwrap()
    }

    #[test]
    fn drawn_works_hash_their_parameters() {
        let level = level();
        let generative = level
            .works
            .iter()
            .find(|w| matches!(w.kind, WorkKind::Generative { .. }))
            .unwrap()
            .clone();
        let a = content_hash(&generative, None).unwrap();
        assert_eq!(a, content_hash(&generative, None).unwrap());
        let mut changed = generative.clone();
        if let WorkKind::Generative { seed, .. } = &mut changed.kind {
            *seed += 1;
        }
        assert_ne!(a, content_hash(&changed, None).unwrap());
        // Metadata is not content.
        let mut retitled = generative;
        retitled.title.push_str(" (revised)");
        assert_eq!(a, content_hash(&retitled, None).unwrap());
    }

    #[test]
    fn files_hash_their_bytes_and_unreadable_files_have_no_hash() {
        let level = level();
        let image = level
            .works
            .iter()
            .find(|w| matches!(w.kind, WorkKind::Image { .. }))
            .unwrap();
        assert_eq!(content_hash(image, None), None);
        let a = content_hash(image, Some(b"one")).unwrap();
        assert_ne!(a, content_hash(image, Some(b"two")).unwrap());
        assert_eq!(a, <[u8; 32]>::from(Sha256::digest(b"one")));
    }
}
