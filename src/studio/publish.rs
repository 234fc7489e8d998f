//! Publishing a candidate: the terms an artist gives it (title, price, editions, split), the
//! level work it becomes, and its ledger registration signed by the artist's key, refused when
//! the same content is already registered (plain Rust).

use ed25519_dalek::SigningKey;

use super::candidate::Candidate;
use crate::level::check::{MAX_EDITIONS, MAX_PRICE};
use crate::level::schema::{Frame, FrameStyle, Placement, Role, Share, Work};
use crate::market::ledger::{self, Hash, Payload, State};
use crate::market::terms;

/// The studio room's id in a level; published works hang there when the level has one.
pub const STUDIO_ROOM: &str = "studio";
/// Edge of a published work on the wall, metres (without frame).
pub const WORK_SIZE: f32 = 0.9;
/// Longest title, artist name and description the studio accepts, in characters.
pub const MAX_TITLE: usize = 80;
pub const MAX_DESCRIPTION: usize = 600;

/// What the artist says about a work when publishing it.
#[derive(Debug, Clone, PartialEq)]
pub struct Publication {
    pub title: String,
    pub artist: String,
    pub description: String,
    /// Price of one edition, whole tokens.
    pub price: i64,
    pub editions: i64,
    /// The artist's share of each primary sale, percent; the rest goes to the gallery.
    pub artist_percent: f64,
    /// Who receives the rest of each primary sale (the gallery's wallet).
    pub gallery: String,
    /// The artist's royalty on every resale, percent.
    pub resale_percent: f64,
}

impl Default for Publication {
    fn default() -> Self {
        Publication {
            title: String::new(),
            artist: String::new(),
            description: String::new(),
            price: 100,
            editions: 10,
            artist_percent: 90.0,
            gallery: "Studio".into(),
            resale_percent: 10.0,
        }
    }
}

/// Every problem with the terms, each naming its field; empty when they can be published.
pub fn problems(p: &Publication) -> Vec<String> {
    let mut out = Vec::new();
    let named = |field: &str, text: &str, out: &mut Vec<String>| {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            out.push(format!("{field}: give one"));
        } else if trimmed.chars().count() > MAX_TITLE {
            out.push(format!("{field}: at most {MAX_TITLE} characters"));
        }
    };
    named("title", &p.title, &mut out);
    named("artist", &p.artist, &mut out);
    if p.description.chars().count() > MAX_DESCRIPTION {
        out.push(format!("description: at most {MAX_DESCRIPTION} characters"));
    }
    if !(1..=MAX_PRICE).contains(&p.price) {
        out.push(format!("price: 1 to {MAX_PRICE} tokens"));
    }
    if !(1..=MAX_EDITIONS).contains(&p.editions) {
        out.push(format!("editions: 1 to {MAX_EDITIONS}"));
    }
    let two_decimals = |x: f64| (x * 100.0 - (x * 100.0).round()).abs() < 1e-6;
    if !(p.artist_percent.is_finite()
        && (1.0..=100.0).contains(&p.artist_percent)
        && two_decimals(p.artist_percent))
    {
        out.push("artist share: 1 to 100 percent (two decimals at most)".into());
    }
    if p.artist_percent < 100.0 && p.gallery.trim().is_empty() {
        out.push("gallery: name who receives the rest of each sale".into());
    }
    if p.gallery.trim() == p.artist.trim() && p.artist_percent < 100.0 {
        out.push("gallery: must not be the artist".into());
    }
    if !(p.resale_percent.is_finite()
        && (0.0..=50.0).contains(&p.resale_percent)
        && two_decimals(p.resale_percent))
    {
        out.push("resale royalty: 0 to 50 percent (two decimals at most)".into());
    }
    out
}

/// A work id from a title: lowercase words joined by `-`, made unique among `taken`.
pub fn work_id(title: &str, taken: &dyn Fn(&str) -> bool) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(48).collect();
    let slug = slug.trim_end_matches('-');
    let base = if slug.is_empty() {
        "studio-work".to_string()
    } else {
        slug.to_string()
    };
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| !taken(id))
        .expect("some suffix is free")
}

/// The level work a publication becomes: hung automatically in `rooms` (the studio room when
/// the level has one, any room otherwise).
pub fn make_work(
    candidate: &Candidate,
    p: &Publication,
    id: &str,
    year: i32,
    rooms: Vec<String>,
) -> Work {
    let mut royalties = vec![Share {
        recipient: p.artist.trim().to_string(),
        role: Role::Artist,
        percent: p.artist_percent,
    }];
    if p.artist_percent < 100.0 {
        royalties.push(Share {
            recipient: p.gallery.trim().to_string(),
            role: Role::Gallery,
            percent: ((100.0 - p.artist_percent) * 100.0).round() / 100.0,
        });
    }
    Work {
        id: id.to_string(),
        title: p.title.trim().to_string(),
        artist: p.artist.trim().to_string(),
        year,
        medium: format!("Generative ({}), made in the studio", candidate.algorithm),
        description: p.description.trim().to_string(),
        alt_text: format!(
            "A square generative picture drawn by the {} algorithm from seed {}.",
            candidate.algorithm, candidate.seed
        ),
        license: "CC BY 4.0".into(),
        kind: candidate.kind(),
        placement: Placement::Auto { rooms },
        size: (WORK_SIZE, WORK_SIZE),
        frame: Frame {
            style: FrameStyle::Oak,
            width: 0.04,
            mat: 0.06,
        },
        price: p.price,
        editions: p.editions,
        royalties,
        resale_royalty: p.resale_percent,
        features: Default::default(),
    }
}

/// The registered work with this content, if any.
pub fn duplicate_of<'a>(state: &'a State, hash: &Hash) -> Option<&'a str> {
    state
        .works
        .iter()
        .find(|(_, w)| &w.content_hash == hash)
        .map(|(id, _)| id.as_str())
}

/// Why a publication cannot be registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The same content (algorithm, seed, parameters) is registered already.
    Duplicate { existing: String },
    /// The work id is registered already.
    IdTaken(String),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Duplicate { existing } => write!(
                f,
                "duplicate registration: this content is already registered as \"{existing}\""
            ),
            Refused::IdTaken(id) => write!(f, "the work id \"{id}\" is already registered"),
        }
    }
}

/// The ledger payloads that publish `work`: wallets its split pays that the ledger does not
/// know yet, then its registration endorsed with the artist's own key (the signature covers
/// the content hash, the terms and the artist).
pub fn registration(
    state: &State,
    work: &Work,
    content_hash: Hash,
    artist_key: &SigningKey,
) -> Result<Vec<Payload>, Refused> {
    if let Some(existing) = duplicate_of(state, &content_hash) {
        return Err(Refused::Duplicate {
            existing: existing.to_string(),
        });
    }
    if state.works.contains_key(&work.id) {
        return Err(Refused::IdTaken(work.id.clone()));
    }
    let mut payloads: Vec<Payload> = terms::payees(work)
        .into_iter()
        .filter(|w| state.balance(w).is_none())
        .map(|w| ledger::ops::open_wallet(&w))
        .collect();
    payloads.push(ledger::endorse(
        terms::registration(work, content_hash),
        artist_key,
    ));
    Ok(payloads)
}

/// The registration of `work` in `state`, if its signature verifies for `key`.
pub fn signed_by(payload: &Payload, key: &ed25519_dalek::VerifyingKey) -> bool {
    matches!(
        payload,
        Payload::RegisterWork { endorsement: Some(e), .. } if e.curator_key == key.to_bytes()
    ) && ledger::endorsement_valid(payload)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::keys::key_from_seed;
    use crate::market::ledger::Ledger;

    fn publication() -> Publication {
        Publication {
            title: "Tide Study, No. 1".into(),
            artist: "Ada Vale".into(),
            description: "Made on a wet Sunday.".into(),
            ..Publication::default()
        }
    }

    #[test]
    fn ids_are_slugs_made_unique() {
        let none = |_: &str| false;
        assert_eq!(work_id("Tide Study, No. 1", &none), "tide-study-no-1");
        assert_eq!(work_id("  ***  ", &none), "studio-work");
        let taken = |id: &str| id == "tide" || id == "tide-2";
        assert_eq!(work_id("Tide", &taken), "tide-3");
    }

    #[test]
    fn terms_are_checked_field_by_field() {
        assert!(problems(&publication()).is_empty());
        let bad = Publication {
            title: " ".into(),
            price: 0,
            editions: 0,
            artist_percent: 120.0,
            resale_percent: -1.0,
            ..publication()
        };
        let found = problems(&bad).join("\n");
        for field in [
            "title",
            "price",
            "editions",
            "artist share",
            "resale royalty",
        ] {
            assert!(found.contains(field), "{field}: {found}");
        }
    }

    #[test]
    fn publishing_registers_once_signed_by_the_artist_and_refuses_duplicates() {
        let mut ledger = Ledger::new(key_from_seed(1, "ledger"), 0, "show");
        let artist = key_from_seed(2, "artist");
        let candidate = Candidate::new("flow-field", 5).unwrap();
        let work = make_work(&candidate, &publication(), "tide", 2026, vec![]);
        let hash = candidate.content_hash();
        let payloads = registration(ledger.state(), &work, hash, &artist).unwrap();
        let before = ledger.entries().len();
        for payload in payloads {
            ledger.append(1, payload).unwrap();
        }
        let registrations: Vec<&Payload> = ledger.entries()[before..]
            .iter()
            .map(|e| &e.payload)
            .filter(|p| matches!(p, Payload::RegisterWork { .. }))
            .collect();
        assert_eq!(registrations.len(), 1);
        assert!(signed_by(registrations[0], &artist.verifying_key()));
        assert!(!signed_by(
            registrations[0],
            &key_from_seed(3, "artist").verifying_key()
        ));
        assert_eq!(ledger.state().works["tide"].content_hash, hash);
        // Purchasable: a buyer with tokens can buy the first edition.
        ledger.append(2, ledger::ops::open_wallet("buyer")).unwrap();
        ledger.append(2, ledger::ops::grant("buyer", 1000)).unwrap();
        let buy = ledger.state().purchase_payload("buyer", "tide").unwrap();
        ledger.append(3, buy).unwrap();
        assert_eq!(
            ledger.state().owner("tide", 1).map(String::as_str),
            Some("buyer")
        );
        // The same content again, under another title: refused.
        let again = make_work(&candidate, &publication(), "tide-again", 2026, vec![]);
        assert_eq!(
            registration(ledger.state(), &again, hash, &artist).unwrap_err(),
            Refused::Duplicate {
                existing: "tide".into()
            }
        );
        // Other content under a taken id: refused too.
        let other = Candidate::new("flow-field", 6).unwrap();
        assert_eq!(
            registration(ledger.state(), &work, other.content_hash(), &artist).unwrap_err(),
            Refused::IdTaken("tide".into())
        );
    }

    #[test]
    fn the_split_pays_the_artist_and_the_gallery() {
        let candidate = Candidate::new("flow-field", 5).unwrap();
        let p = Publication {
            artist_percent: 85.5,
            ..publication()
        };
        let work = make_work(&candidate, &p, "tide", 2026, vec!["studio".into()]);
        assert_eq!(work.royalties.len(), 2);
        assert_eq!(work.royalties[1].percent, 14.5);
        assert_eq!(terms::payees(&work), vec!["Ada Vale", "Studio"]);
        let solo = make_work(
            &candidate,
            &Publication {
                artist_percent: 100.0,
                ..publication()
            },
            "tide",
            2026,
            vec![],
        );
        assert_eq!(solo.royalties.len(), 1);
    }
}
