//! The studio: visitors make generative works, see what the scoring model predicts for them,
//! and publish them to the exhibition (hung in the studio room) and the ledger (registered
//! under the artist's key).
//!
//! [`candidate`], [`overlay`] and [`publish`] are plain Rust; this module is the thin ECS
//! layer: the published works of the exhibition being shown, and publish requests (from the
//! studio panel or a simulation script) committed to the ledger and the overlay file before
//! the gallery is rebuilt with the new work on the wall.

pub mod candidate;
pub mod overlay;
pub mod publish;

use std::collections::BTreeMap;
use std::path::Path;

use bevy::prelude::*;
use ed25519_dalek::SigningKey;

use crate::feedback::FeedbackClock;
use crate::gallery::{ActiveLevel, ExhibitionData};
use crate::level::Level;
use crate::level::schema::Work;
use crate::market::ledger::{Entry, Payload};
use crate::market::{Market, MarketKeySeed};
use crate::screens::Screen;
use candidate::Candidate;
use publish::Publication;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<PublishedWorks>()
        .add_message::<PublishRequest>()
        .add_message::<PublishDone>()
        .add_systems(Update, publish_works.run_if(in_state(Screen::Gallery)));
}

/// The key file of the visitor-artist in the data directory (beside the ledger's key).
pub const ARTIST_KEY_FILE: &str = "artist.key";

/// The works published in the studio for the exhibition being shown: the overlay as last
/// read or written, and what is wrong with it, if anything.
#[derive(Resource, Debug, Clone, Default)]
pub struct PublishedWorks {
    pub exhibition: Option<String>,
    pub works: Vec<Work>,
    /// Why the overlay file was not merged (publishing is refused until it is fixed, so
    /// nothing overwrites it).
    pub broken: Option<String>,
}

/// Publish a candidate, from the panel or a script.
#[derive(Message, Debug, Clone)]
pub struct PublishRequest {
    pub visitor: Entity,
    pub candidate: Candidate,
    pub publication: Publication,
}

/// A publication's outcome: registered, saved and about to hang, or why not.
#[derive(Message, Debug, Clone)]
pub struct PublishDone {
    pub visitor: Entity,
    pub title: String,
    pub outcome: Result<Published, String>,
}

/// A work just published.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    pub work: String,
    /// The ledger entry of its registration.
    pub entry: Entry,
    pub content_hash: [u8; 32],
    /// Where it hangs (room and wall).
    pub placement: String,
    /// Where the overlay was saved (`None`: in memory only).
    pub saved: Option<String>,
}

/// The level the gallery shows: `level` (valid, placements filled) with the studio overlay
/// merged in: the file in `dir` (the exhibition's data directory), or in the browser the copy
/// in local storage, or else the works published in this session. The content hashes of the
/// published works come back too. A broken overlay is reported and left out: the exhibition
/// still opens.
pub fn merge_published(
    level: &Level,
    dir: Option<&Path>,
    published: &mut PublishedWorks,
) -> (Level, BTreeMap<String, [u8; 32]>) {
    let id = level.exhibition.id.clone();
    let empty = crate::level::AssetBytes::new();
    published.broken = None;
    let merged = match stored_overlay(dir, &id) {
        Some(Err(line)) => Err(vec![line]),
        Some(Ok((label, text))) => {
            let merged = overlay::merge(level, &text, &empty);
            let lines: Vec<String> = merged
                .diagnostics
                .iter()
                .map(|d| d.render(&label))
                .collect();
            match merged.level {
                Some(with) => {
                    for line in &lines {
                        warn!("{line}");
                    }
                    let works = with.works[level.works.len()..].to_vec();
                    Ok((with, merged.content_hashes, works))
                }
                None => Err(lines),
            }
        }
        None => {
            let works = if published.exhibition.as_deref() == Some(id.as_str()) {
                published.works.clone()
            } else {
                Vec::new()
            };
            let merged = overlay::merge_works(level, &works, &empty, |_| (1, 1));
            match merged.level {
                Some(with) => Ok((with, merged.content_hashes, works)),
                None => Err(merged
                    .diagnostics
                    .iter()
                    .map(|d| d.render("published works"))
                    .collect()),
            }
        }
    };
    published.exhibition = Some(id);
    match merged {
        Ok((with, hashes, works)) => {
            if !works.is_empty() {
                info!(
                    "studio: {} published works hang in the exhibition",
                    works.len()
                );
            }
            published.works = works;
            (with, hashes)
        }
        Err(lines) => {
            for line in &lines {
                error!("studio: {line}");
            }
            published.works.clear();
            published.broken = Some(format!(
                "the published works could not be loaded: {}",
                lines.first().cloned().unwrap_or_default()
            ));
            (level.clone(), BTreeMap::new())
        }
    }
}

/// The browser keeps an exhibition's overlay in local storage under this prefix and its id.
pub const BROWSER_KEY_PREFIX: &str = "vernissage.studio.";

/// The stored overlay, as (label for messages, text): `studio.ron` in the data directory, or
/// in the browser local storage; `None` when there is none.
fn stored_overlay(
    dir: Option<&Path>,
    exhibition: &str,
) -> Option<Result<(String, String), String>> {
    #[cfg(target_arch = "wasm32")]
    {
        let _ = dir;
        let key = format!("{BROWSER_KEY_PREFIX}{exhibition}");
        crate::web::storage::local_get(&key).map(|text| Ok((format!("localStorage {key}"), text)))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = exhibition;
        let path = dir?.join(overlay::FILE_NAME);
        if !path.exists() {
            return None;
        }
        let label = path.display().to_string();
        Some(
            std::fs::read_to_string(&path)
                .map(|text| (label.clone(), text))
                .map_err(|e| format!("{label}:1:1: cannot read it: {e}")),
        )
    }
}

/// The key a publication is signed with: derived from the run's seed and the artist's name in
/// simulations (so runs repeat), else the visitor-artist's key file in the data directory
/// (made on first use), else (no file system) one derived from this installation's storage.
pub fn artist_key(
    data_root: Option<&Path>,
    seed: Option<u64>,
    artist: &str,
) -> Result<SigningKey, String> {
    use sha2::{Digest, Sha256};
    if let Some(seed) = seed {
        let mut h = Sha256::new();
        h.update(b"vernissage-artist-key-v1");
        h.update(seed.to_be_bytes());
        h.update(artist.as_bytes());
        return Ok(SigningKey::from_bytes(&h.finalize().into()));
    }
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(root) = data_root {
        let (key, warnings) =
            crate::market::keys::load_or_create(&root.join(ARTIST_KEY_FILE), None)
                .map_err(|e| e.to_string())?;
        for warning in warnings {
            warn!("studio: {warning}");
        }
        return Ok(key);
    }
    let _ = data_root;
    #[cfg(target_arch = "wasm32")]
    {
        let mut h = Sha256::new();
        h.update(b"vernissage-artist-key-v1");
        h.update(crate::web::storage::ledger_key());
        Ok(SigningKey::from_bytes(&h.finalize().into()))
    }
    #[cfg(not(target_arch = "wasm32"))]
    Err("there is no data directory to keep the artist's key in".into())
}

/// Checks, registers, saves and hangs each requested publication; the gallery is rebuilt (the
/// visitor stays where they stand) so the new work appears on the studio's wall.
#[allow(clippy::too_many_arguments)]
fn publish_works(
    mut requests: MessageReader<PublishRequest>,
    mut done: MessageWriter<PublishDone>,
    level: Option<Res<ActiveLevel>>,
    data: Option<Res<ExhibitionData>>,
    market: Option<ResMut<Market>>,
    mut published: ResMut<PublishedWorks>,
    seed: Res<MarketKeySeed>,
    clock: Res<FeedbackClock>,
    fixed: Res<Time<Fixed>>,
    mut next: ResMut<NextState<Screen>>,
) {
    if requests.is_empty() {
        return;
    }
    let (Some(level), Some(mut market)) = (level, market) else {
        requests.clear();
        return;
    };
    let dir = data.and_then(|d| d.dir.clone());
    let mut level = (*level.0).clone();
    let mut changed = false;
    for request in requests.read() {
        let now = crate::feedback::now_ms(&clock, &fixed);
        let outcome = publish_one(
            &mut level,
            dir.as_deref(),
            &mut market,
            &mut published,
            seed.0,
            now,
            request,
        );
        match &outcome {
            Ok(p) => {
                info!(
                    "studio: published \"{}\" as {} (ledger entry {}), {}",
                    request.publication.title, p.work, p.entry.index, p.placement
                );
                changed = true;
            }
            Err(e) => info!(
                "studio: publishing \"{}\" refused: {e}",
                request.publication.title
            ),
        }
        done.write(PublishDone {
            visitor: request.visitor,
            title: request.publication.title.clone(),
            outcome,
        });
    }
    if changed {
        // Rebuild with the new works: the same level asset, merged again with the overlay.
        next.set(Screen::Loading);
    }
}

fn publish_one(
    level: &mut Level,
    dir: Option<&Path>,
    market: &mut Market,
    published: &mut PublishedWorks,
    seed: Option<u64>,
    now: u64,
    request: &PublishRequest,
) -> Result<Published, String> {
    if let Some(why) = &published.broken {
        return Err(why.clone());
    }
    let problems = publish::problems(&request.publication);
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    let candidate = Candidate::with_params(
        &request.candidate.algorithm,
        request.candidate.seed,
        &request.candidate.params,
    )?;
    let hash = candidate.content_hash();
    market.refresh();
    if let Some(existing) = publish::duplicate_of(market.state(), &hash) {
        return Err(publish::Refused::Duplicate {
            existing: existing.to_string(),
        }
        .to_string());
    }
    let taken =
        |id: &str| level.works.iter().any(|w| w.id == id) || market.state().works.contains_key(id);
    let id = publish::work_id(&request.publication.title, &taken);
    let rooms = if level.rooms.iter().any(|r| r.id == publish::STUDIO_ROOM) {
        vec![publish::STUDIO_ROOM.to_string()]
    } else {
        Vec::new()
    };
    let year = 1970 + i32::try_from(now / 31_556_952_000).unwrap_or(0);
    let work = publish::make_work(&candidate, &request.publication, &id, year, rooms);
    let placed = overlay::place(level, &[], &work)?;
    let data_root = dir.and_then(Path::parent);
    let key = artist_key(data_root, seed, &request.publication.artist)?;
    let payloads =
        publish::registration(market.state(), &placed, hash, &key).map_err(|e| e.to_string())?;
    let entries = market.publish(now, payloads)?;
    let entry = entries
        .into_iter()
        .rfind(|e| matches!(e.payload, Payload::RegisterWork { .. }))
        .ok_or("the registration was not committed")?;
    published.works.push(placed.clone());
    published.exhibition = Some(level.exhibition.id.clone());
    let saved = save_overlay(dir, &level.exhibition.id, &published.works)?;
    let placement = match &placed.placement {
        crate::level::schema::Placement::Wall { room, wall, .. } => {
            // The room's name as visitors read it on the walls ("The Studio"), else its id.
            let name = level
                .rooms
                .iter()
                .find(|r| r.id == *room && !r.name.trim().is_empty())
                .map_or(room.as_str(), |r| r.name.as_str());
            format!(
                "hung on the {} wall of {name}",
                wall.to_string().to_lowercase()
            )
        }
        other => format!("placed at {other:?}"),
    };
    level.works.push(placed);
    Ok(Published {
        work: id,
        entry,
        content_hash: hash,
        placement,
        saved,
    })
}

/// Saves the overlay: the file in the data directory (through a temporary file, so a crash
/// never leaves half of it), or the browser's local storage; where it went, if anywhere.
fn save_overlay(
    dir: Option<&Path>,
    exhibition: &str,
    works: &[Work],
) -> Result<Option<String>, String> {
    let text = overlay::Overlay {
        format: overlay::OVERLAY_FORMAT,
        exhibition: exhibition.to_string(),
        works: works.to_vec(),
    }
    .to_ron()?;
    #[cfg(target_arch = "wasm32")]
    {
        let _ = dir;
        let key = format!("{BROWSER_KEY_PREFIX}{exhibition}");
        crate::web::storage::local_set(&key, &text);
        Ok(Some(format!("localStorage {key}")))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let Some(dir) = dir else {
            return Ok(None);
        };
        let path = dir.join(overlay::FILE_NAME);
        let temporary = dir.join(format!("{}.tmp", overlay::FILE_NAME));
        let label = path.display().to_string();
        std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&temporary, text))
            .and_then(|()| std::fs::rename(&temporary, &path))
            .map_err(|e| {
                format!("registered in the ledger, but {label} could not be written: {e}")
            })?;
        Ok(Some(label))
    }
}
