//! Certificates of authenticity: what the ledger says about one owned edition (the work, its
//! registered content hash and curator endorsement, the entry that made the owner its owner),
//! with the proof checked live against the ledger's public key: the entry's hash, its
//! signature, its links in the hash chain and the ownership it records.
//!
//! Plain Rust without Bevy: the collection panel shows a [`Certificate`], and saves it as text
//! ([`Certificate::to_text`]) or as a picture set by the gallery's typesetter
//! ([`Certificate::render`]).

use ed25519_dalek::{Signature, Verifier, VerifyingKey};

use super::ledger::{self, Entry, Hash, Payload, State, WalletId};
use super::terms::hex;
use crate::gallery::pixels::Pixels;
use crate::gallery::typeset::{Align, Block, TextStyle, Typesetter};

/// Folder inside an exhibition's data directory where certificates are saved.
pub const CERTIFICATES_DIR: &str = "certificates";

/// What the level says about the work, for the certificate's wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkLabel {
    /// The exhibition's title.
    pub exhibition: String,
    pub title: String,
    pub artist: String,
    /// The exhibition's curator key (hex), to tell a curator's endorsement from the signature
    /// of an artist who published the work in the studio.
    pub curator_key: Option<String>,
}

/// How the owner came to own the edition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acquisition {
    /// Bought from the artist at the registered price.
    Purchase,
    /// Bought from a previous owner's listing.
    Resale,
    /// Given by a previous owner.
    Gift,
}

impl Acquisition {
    pub fn name(self) -> &'static str {
        match self {
            Acquisition::Purchase => "primary purchase",
            Acquisition::Resale => "resale",
            Acquisition::Gift => "gift",
        }
    }
}

/// The curator's signature on the work's registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endorsement {
    /// The exhibition named no curator key: the work was registered without one.
    None,
    /// Signed by this curator key; whether the signature verifies.
    By { key: [u8; 32], valid: bool },
}

/// The live checks of a certificate against the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Checks {
    /// The entry is in the ledger at its index, and its hash is the hash of its contents.
    pub hash: bool,
    /// The entry's signature verifies with the ledger's public key.
    pub signature: bool,
    /// The entry's previous hash is the previous entry's hash, and the next entry (if any)
    /// names this one's.
    pub chain: bool,
    /// The entry gives the edition to the owner, and the ledger still names them its owner.
    pub owner: bool,
}

impl Checks {
    /// Every check passed.
    pub fn all(&self) -> bool {
        self.hash && self.signature && self.chain && self.owner
    }

    /// (passed, what was checked), in reading order.
    pub fn lines(&self) -> [(bool, &'static str); 4] {
        [
            (self.hash, "the transaction's hash matches its contents"),
            (
                self.signature,
                "its signature verifies with the ledger's key",
            ),
            (self.chain, "it is linked into the ledger's hash chain"),
            (self.owner, "the ledger names this owner for this edition"),
        ]
    }
}

/// A certificate of authenticity for one edition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub label: WorkLabel,
    pub work: String,
    pub edition: u32,
    pub editions: u32,
    pub owner: WalletId,
    /// The entry that gave the owner the edition.
    pub entry_index: u64,
    pub entry_hash: Hash,
    pub entry_signature: [u8; 64],
    pub acquired_at: u64,
    pub acquisition: Acquisition,
    /// What the owner paid (nothing for a gift).
    pub price: Option<u64>,
    /// SHA-256 of the work's content, as registered.
    pub content_hash: Hash,
    pub registered_at: u64,
    pub endorsement: Endorsement,
    /// The ledger's public key, if known.
    pub ledger_key: Option<[u8; 32]>,
    /// The checks as of issuing (see [`Certificate::verify`] for a fresh look).
    pub checks: Checks,
}

impl Certificate {
    /// The certificate of `edition` of `work` as the ledger stands: the newest entry that
    /// changed the edition's owner, the registration, and the checks. `None` when the edition
    /// was never sold or the work is not registered.
    pub fn issue(
        state: &State,
        entries: &[Entry],
        label: WorkLabel,
        work: &str,
        edition: u32,
        key: Option<&VerifyingKey>,
    ) -> Option<Certificate> {
        let registered = state.works.get(work)?;
        let owner = state.owner(work, edition)?.clone();
        let entry = entries
            .iter()
            .rev()
            .find(|e| changes_owner(&e.payload, work, edition).is_some())?;
        let (_, acquisition, price) = changes_owner(&entry.payload, work, edition)?;
        let endorsement = entries
            .iter()
            .find_map(|e| match &e.payload {
                Payload::RegisterWork {
                    work: w,
                    endorsement,
                    ..
                } if w == work => Some(match endorsement {
                    None => Endorsement::None,
                    Some(e) => Endorsement::By {
                        key: e.curator_key,
                        valid: false,
                    },
                }),
                _ => None,
            })
            .unwrap_or(Endorsement::None);
        let mut certificate = Certificate {
            label,
            work: work.to_string(),
            edition,
            editions: registered.editions,
            owner,
            entry_index: entry.index,
            entry_hash: entry.hash,
            entry_signature: entry.signature,
            acquired_at: entry.timestamp,
            acquisition,
            price,
            content_hash: registered.content_hash,
            registered_at: registered.registered_at,
            endorsement,
            ledger_key: key.map(VerifyingKey::to_bytes),
            checks: Checks::default(),
        };
        certificate.endorsement = certificate.endorsement_status(entries);
        certificate.checks = certificate.verify(state, entries, key);
        Some(certificate)
    }

    /// Whether the registration's curator signature verifies (looked up again in `entries`).
    fn endorsement_status(&self, entries: &[Entry]) -> Endorsement {
        let Endorsement::By { key, .. } = self.endorsement else {
            return Endorsement::None;
        };
        let valid = entries.iter().any(|e| {
            matches!(&e.payload, Payload::RegisterWork { work, .. } if *work == self.work)
                && ledger::endorsement_valid(&e.payload)
        });
        Endorsement::By { key, valid }
    }

    /// Checks the certificate against the ledger now: the entry it names is at its index with
    /// the same hash, that hash is the hash of its contents and is signed by `key`, it is
    /// linked to its neighbours, and the edition is still the owner's.
    pub fn verify(&self, state: &State, entries: &[Entry], key: Option<&VerifyingKey>) -> Checks {
        let Some(entry) = usize::try_from(self.entry_index)
            .ok()
            .and_then(|i| entries.get(i))
            .filter(|e| e.index == self.entry_index)
        else {
            return Checks::default();
        };
        let hash = entry.hash == self.entry_hash
            && ledger::entry_hash(
                entry.index,
                entry.timestamp,
                &entry.prev_hash,
                &entry.payload,
            ) == entry.hash;
        let signature = key.is_some_and(|k| {
            entry.signature == self.entry_signature
                && k.verify(&entry.hash, &Signature::from_bytes(&entry.signature))
                    .is_ok()
        });
        let position = entry.index as usize;
        let previous = match position.checked_sub(1) {
            Some(p) => entries.get(p).map(|e| e.hash),
            None => Some([0; 32]),
        };
        let chain = previous == Some(entry.prev_hash)
            && entries
                .get(position + 1)
                .is_none_or(|next| next.prev_hash == entry.hash);
        let owner = changes_owner(&entry.payload, &self.work, self.edition)
            .is_some_and(|(to, _, _)| *to == self.owner)
            && state.owner(&self.work, self.edition) == Some(&self.owner);
        Checks {
            hash,
            signature,
            chain,
            owner,
        }
    }

    /// `<work>-<edition>`: the name certificates are saved under (work ids are file-safe).
    pub fn file_stem(&self) -> String {
        format!("{}-{}", self.work, self.edition)
    }

    /// "Edition 3 of 8", or "Unique work" for a single edition.
    pub fn edition_line(&self) -> String {
        if self.editions == 1 {
            "Unique work (edition 1 of 1)".into()
        } else {
            format!("Edition {} of {}", self.edition, self.editions)
        }
    }

    /// How the owner acquired it: "primary purchase for 680 tokens, 3 Jan 2026 14:05 UTC".
    pub fn acquisition_line(&self) -> String {
        let paid = match self.price {
            Some(1) => " for 1 token".to_string(),
            Some(price) => format!(" for {price} tokens"),
            None => String::new(),
        };
        format!(
            "{}{paid}, {}",
            self.acquisition.name(),
            utc_time_label(self.acquired_at)
        )
    }

    /// The curator endorsement, in words.
    pub fn endorsement_line(&self) -> String {
        match self.endorsement {
            Endorsement::None => "not endorsed (the exhibition names no curator key)".into(),
            Endorsement::By { key, valid } => {
                let key = hex(&key);
                let by_curator = self
                    .label
                    .curator_key
                    .as_deref()
                    .is_none_or(|curator| curator.eq_ignore_ascii_case(&key));
                let who = if by_curator {
                    "endorsed by curator key"
                } else {
                    // Only the studio registers works under a key that is not the curator's.
                    "signed by the artist's key"
                };
                if valid {
                    format!("{who} {key}, signature valid")
                } else {
                    format!("{who} {key}, but the signature does NOT verify")
                }
            }
        }
    }

    /// The facts, as (name, value) rows in reading order.
    pub fn rows(&self) -> Vec<(&'static str, String)> {
        vec![
            ("Exhibition", self.label.exhibition.clone()),
            ("Work", self.label.title.clone()),
            ("Artist", self.label.artist.clone()),
            ("Work id", self.work.clone()),
            ("Edition", format!("{} of {}", self.edition, self.editions)),
            ("Owner", self.owner.clone()),
            ("Acquired", self.acquisition_line()),
            ("Transaction", format!("ledger entry #{}", self.entry_index)),
            ("Transaction hash", hex(&self.entry_hash)),
            ("Content hash", hex(&self.content_hash)),
            ("Registered", utc_time_label(self.registered_at)),
            ("Endorsement", self.endorsement_line()),
            (
                "Ledger key",
                self.ledger_key
                    .map_or_else(|| "unknown".to_string(), |k| hex(&k)),
            ),
        ]
    }

    /// The certificate as plain text (UTF-8, one fact per line), checks included.
    pub fn to_text(&self) -> String {
        let mut out = String::from("CERTIFICATE OF AUTHENTICITY\n\n");
        let rows = self.rows();
        let width = rows.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
        for (name, value) in rows {
            out.push_str(&format!("{name:<width$}  {value}\n"));
        }
        out.push_str("\nChecked against the ledger:\n");
        for (ok, what) in self.checks.lines() {
            out.push_str(&format!(
                "  {} {what}\n",
                if ok { "\u{2714}" } else { "\u{2718}" }
            ));
        }
        out.push_str(if self.checks.all() {
            "\nAuthentic: every check passed.\n"
        } else {
            "\nNOT VERIFIED: at least one check failed.\n"
        });
        out.push_str(
            "\nVerify the whole ledger with `vernissage ledger verify`; the transaction hash \
             names the entry.\n",
        );
        out
    }

    /// The certificate set as a picture: a framed, portrait card (1240 × 1754 pixels, A4 at
    /// 150 dpi), title and edition centred, then the facts and the checks.
    pub fn render(&self, typesetter: &Typesetter) -> Pixels {
        const WIDTH: u32 = 1240;
        const HEIGHT: u32 = 1754;
        const PAPER: [u8; 3] = [250, 247, 238];
        const INK: [u8; 3] = [26, 24, 22];
        const SOFT: [u8; 3] = [70, 64, 56];
        const MUTED: [u8; 3] = [120, 108, 92];
        const BRASS: [u8; 3] = [150, 112, 48];
        const GOOD: [u8; 3] = [36, 110, 60];
        const BAD: [u8; 3] = [168, 40, 32];
        let style = |size_px: f32, ink: [u8; 3], align: Align, line_spacing: f32| TextStyle {
            size_px,
            ink,
            align,
            line_spacing,
        };
        let centred =
            |text: String, size: f32, ink| Block::new(text, style(size, ink, Align::Center, 1.2));
        let mut blocks = vec![
            centred("CERTIFICATE OF AUTHENTICITY".into(), 44.0, BRASS),
            centred(self.label.exhibition.clone(), 28.0, MUTED),
            centred(String::new(), 20.0, INK),
            centred(self.label.title.clone(), 64.0, INK),
            centred(self.label.artist.clone(), 36.0, SOFT),
            centred(self.edition_line(), 34.0, INK),
            centred("\u{2014}".into(), 30.0, BRASS),
        ];
        // A little air between one fact and the next: a zero-width space, because an empty
        // (or blank) block takes no space at all.
        let spacer = || Block::new("\u{200b}", style(6.0, PAPER, Align::Left, 1.0));
        for (name, value) in self.rows() {
            if matches!(name, "Exhibition" | "Work" | "Artist" | "Edition") {
                continue; // set large above
            }
            blocks.push(Block::new(
                name.to_uppercase(),
                style(18.0, MUTED, Align::Left, 1.1),
            ));
            blocks.push(Block::new(value, style(25.0, INK, Align::Left, 1.2)));
            blocks.push(spacer());
        }
        blocks.push(Block::new(
            "CHECKED AGAINST THE LEDGER",
            style(18.0, MUTED, Align::Left, 1.1),
        ));
        for (ok, what) in self.checks.lines() {
            let (mark, ink) = if ok {
                ("\u{2714}", GOOD)
            } else {
                ("\u{d7} FAILED:", BAD)
            };
            blocks.push(Block::new(
                format!("{mark} {what}"),
                style(25.0, ink, Align::Left, 1.15),
            ));
        }
        let verdict = if self.checks.all() {
            ("Authentic: every check passed.", GOOD)
        } else {
            ("NOT VERIFIED: at least one check failed.", BAD)
        };
        blocks.push(spacer());
        blocks.push(Block::new(
            verdict.0,
            style(30.0, verdict.1, Align::Center, 1.4),
        ));
        blocks.push(Block::new(
            "Anyone can check the whole ledger with \u{201c}vernissage ledger verify\u{201d}.",
            style(18.0, MUTED, Align::Center, 1.2),
        ));
        let mut pixels = typesetter.render_blocks(&blocks, WIDTH, HEIGHT, PAPER, 120);
        // A double rule in brass around the card.
        frame_rect(&mut pixels, 48, 5, BRASS);
        frame_rect(&mut pixels, 64, 1, BRASS);
        pixels
    }

    /// Saves the certificate as `<dir>/certificates/<work>-<edition>.txt`; the path written.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn save_text(
        &self,
        exhibition_dir: &std::path::Path,
    ) -> Result<std::path::PathBuf, String> {
        let path = self.path_in(exhibition_dir, "txt")?;
        write_file(&path, self.to_text().as_bytes())?;
        Ok(path)
    }

    /// Saves the certificate as `<dir>/certificates/<work>-<edition>.png`; the path written.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn save_png(&self, exhibition_dir: &std::path::Path) -> Result<std::path::PathBuf, String> {
        let typesetter = typesetter()?;
        let path = self.path_in(exhibition_dir, "png")?;
        let pixels = self.render(typesetter);
        let image = image::RgbaImage::from_raw(pixels.width, pixels.height, pixels.rgba)
            .ok_or("the picture has the wrong size")?;
        let mut bytes = std::io::Cursor::new(Vec::new());
        image
            .write_to(&mut bytes, image::ImageFormat::Png)
            .map_err(|e| format!("cannot encode the picture: {e}"))?;
        write_file(&path, bytes.get_ref())?;
        Ok(path)
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn path_in(
        &self,
        exhibition_dir: &std::path::Path,
        extension: &str,
    ) -> Result<std::path::PathBuf, String> {
        let dir = exhibition_dir.join(CERTIFICATES_DIR);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(dir.join(format!("{}.{extension}", self.file_stem())))
    }
}

/// Writes through a temporary file, so a certificate is never half written.
#[cfg(not(target_arch = "wasm32"))]
fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), String> {
    let temporary = path.with_extension("part");
    std::fs::write(&temporary, bytes)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// The typesetter, parsed once.
#[cfg(not(target_arch = "wasm32"))]
fn typesetter() -> Result<&'static Typesetter, String> {
    static TYPESETTER: std::sync::OnceLock<Result<Typesetter, String>> = std::sync::OnceLock::new();
    TYPESETTER
        .get_or_init(|| Typesetter::new().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(Clone::clone)
}

/// Whom an entry gives `edition` of `work` to, how, and for what price.
fn changes_owner<'a>(
    payload: &'a Payload,
    work: &str,
    edition: u32,
) -> Option<(&'a WalletId, Acquisition, Option<u64>)> {
    match payload {
        Payload::Purchase {
            work: w,
            edition: n,
            buyer,
            price,
            ..
        } if w == work && *n == edition => Some((buyer, Acquisition::Purchase, Some(*price))),
        Payload::Resale {
            work: w,
            edition: n,
            buyer,
            price,
            ..
        } if w == work && *n == edition => Some((buyer, Acquisition::Resale, Some(*price))),
        Payload::Transfer {
            work: w,
            edition: n,
            to,
            ..
        } if w == work && *n == edition => Some((to, Acquisition::Gift, None)),
        _ => None,
    }
}

/// A `width`-pixel rectangle `inset` pixels inside the edges.
fn frame_rect(pixels: &mut Pixels, inset: u32, width: u32, rgb: [u8; 3]) {
    let colour = [rgb[0], rgb[1], rgb[2], 255];
    let (w, h) = (pixels.width, pixels.height);
    if inset + width >= w / 2 || inset + width >= h / 2 {
        return;
    }
    for y in inset..h - inset {
        for x in inset..w - inset {
            let edge = x < inset + width
                || x >= w - inset - width
                || y < inset + width
                || y >= h - inset - width;
            if edge {
                pixels.set(x, y, colour);
            }
        }
    }
}

/// A Unix time in milliseconds as "3 Jan 2026, 14:05 UTC".
pub fn utc_time_label(time_ms: u64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = (time_ms / 86_400_000) as i64;
    let minutes = (time_ms % 86_400_000) / 60_000;
    // Days from 1970-01-01 to a civil date, counted from 0000-03-01 (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{day} {} {year}, {:02}:{:02} UTC",
        MONTHS[(month - 1) as usize],
        minutes / 60,
        minutes % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::ledger::{Ledger, ops};
    use ed25519_dalek::SigningKey;

    fn label() -> WorkLabel {
        WorkLabel {
            exhibition: "Small Hours".into(),
            title: "Lake, First Light".into(),
            artist: "Ilse Varga".into(),
            curator_key: None,
        }
    }

    /// A ledger where "ann" bought edition 1 of "lake", "bob" edition 2, then ann listed hers
    /// and "cleo" bought it; one more purchase follows, so the resale has a next link.
    fn ledger() -> Ledger {
        let t = 1_767_225_600_000;
        let key = SigningKey::from_bytes(&[3; 32]);
        let mut l = Ledger::new(key, t, "test");
        for wallet in ["ilse", "ann", "bob", "cleo"] {
            l.append(t + 2, ops::open_wallet(wallet)).unwrap();
        }
        for wallet in ["ann", "bob", "cleo"] {
            l.append(t + 3, ops::grant(wallet, 1_000)).unwrap();
        }
        l.append(
            t + 4,
            ops::register("lake", b"pixels", "ilse", 8, 300, &[], 1_000),
        )
        .unwrap();
        for buyer in ["ann", "bob"] {
            let p = l.state().purchase_payload(buyer, "lake").unwrap();
            l.append(t + 5, p).unwrap();
        }
        l.append(t + 6, ops::list("lake", 1, "ann", 500)).unwrap();
        let p = l.state().resale_payload("cleo", "lake", 1).unwrap();
        l.append(t + 60_000, p).unwrap();
        let p = l.state().purchase_payload("ann", "lake").unwrap();
        l.append(t + 120_000, p).unwrap();
        l
    }

    fn issue(l: &Ledger, edition: u32) -> Certificate {
        Certificate::issue(
            l.state(),
            l.entries(),
            label(),
            "lake",
            edition,
            Some(&l.verifying_key()),
        )
        .unwrap()
    }

    #[test]
    fn a_good_certificate_verifies_and_names_the_latest_owner() {
        let l = ledger();
        let cert = issue(&l, 1);
        assert!(cert.checks.all(), "{:?}", cert.checks);
        assert_eq!(cert.owner, "cleo");
        assert_eq!(cert.acquisition, Acquisition::Resale);
        assert_eq!(cert.price, Some(500));
        assert_eq!(cert.editions, 8);
        assert_eq!(cert.entry_index, 12);
        assert_eq!(cert.entry_hash, l.entries()[12].hash);
        assert_eq!(cert.content_hash, l.state().works["lake"].content_hash);
        assert_eq!(cert.endorsement, Endorsement::None);
        assert_eq!(cert.file_stem(), "lake-1");
        let bob = issue(&l, 2);
        assert!(bob.checks.all());
        assert_eq!(
            (bob.owner.as_str(), bob.acquisition),
            ("bob", Acquisition::Purchase)
        );
        // The last entry has no next link to check; it still verifies.
        let last = issue(&l, 3);
        assert_eq!(last.entry_index, l.entries().len() as u64 - 1);
        assert!(last.checks.all());
        // Unsold editions and unknown works have no certificate.
        let none = |work, edition| {
            Certificate::issue(l.state(), l.entries(), label(), work, edition, None)
        };
        assert!(none("lake", 4).is_none());
        assert!(none("pond", 1).is_none());
    }

    #[test]
    fn the_text_lists_the_facts_and_the_checks() {
        let l = ledger();
        let cert = issue(&l, 1);
        let text = cert.to_text();
        assert!(text.starts_with("CERTIFICATE OF AUTHENTICITY"));
        for needle in [
            "Lake, First Light",
            "Ilse Varga",
            "Small Hours",
            "  1 of 8\n",
            "cleo",
            "ledger entry #12",
            &hex(&cert.entry_hash),
            &hex(&cert.content_hash),
            "resale for 500 tokens",
            "not endorsed",
            "\u{2714} its signature verifies",
            "Authentic: every check passed.",
        ] {
            assert!(text.contains(needle), "{needle} missing from\n{text}");
        }
        assert!(!text.contains('\u{2718}'));
    }

    #[test]
    fn a_tampered_hash_or_signature_fails_its_check() {
        let l = ledger();
        let cert = issue(&l, 1);
        let key = l.verifying_key();
        let index = cert.entry_index as usize;

        // A changed byte in the stored hash: the hash no longer matches, the signature no
        // longer covers it, and the next entry's link is broken.
        let mut entries = l.entries().to_vec();
        entries[index].hash[0] ^= 1;
        let checks = cert.verify(l.state(), &entries, Some(&key));
        assert!(
            !checks.hash && !checks.signature && !checks.chain,
            "{checks:?}"
        );
        assert!(checks.owner);

        // A changed signature: only the signature fails.
        let mut entries = l.entries().to_vec();
        entries[index].signature[10] ^= 0x40;
        let checks = cert.verify(l.state(), &entries, Some(&key));
        assert_eq!(
            checks,
            Checks {
                hash: true,
                signature: false,
                chain: true,
                owner: true
            }
        );

        // A changed payload re-hashed without the key: the signature fails.
        let mut entries = l.entries().to_vec();
        if let Payload::Resale { price, .. } = &mut entries[index].payload {
            *price = 1;
        }
        let e = &entries[index];
        entries[index].hash = ledger::entry_hash(e.index, e.timestamp, &e.prev_hash, &e.payload);
        let checks = cert.verify(l.state(), &entries, Some(&key));
        assert!(!checks.hash && !checks.signature && !checks.chain);

        // Another ledger's key: the signature fails.
        let other = SigningKey::from_bytes(&[4; 32]).verifying_key();
        assert!(!cert.verify(l.state(), l.entries(), Some(&other)).signature);
        assert!(!cert.verify(l.state(), l.entries(), None).signature);

        // A broken link to the previous entry.
        let mut entries = l.entries().to_vec();
        entries[index - 1].hash[5] ^= 1;
        assert!(!cert.verify(l.state(), &entries, Some(&key)).chain);

        // The entry cut off: nothing verifies.
        let entries = &l.entries()[..index];
        assert_eq!(
            cert.verify(l.state(), entries, Some(&key)),
            Checks::default()
        );

        // A failed check reads as such in the text.
        let mut tampered = cert.clone();
        tampered.checks.signature = false;
        let text = tampered.to_text();
        assert!(text.contains("\u{2718} its signature verifies"), "{text}");
        assert!(text.contains("NOT VERIFIED"));
    }

    #[test]
    fn a_sold_on_edition_no_longer_verifies_for_the_old_owner() {
        let mut l = ledger();
        let cert = issue(&l, 2);
        l.append(1_767_225_800_000, ops::transfer("lake", 2, "bob", "ann"))
            .unwrap();
        let checks = cert.verify(l.state(), l.entries(), Some(&l.verifying_key()));
        assert!(
            checks.hash && checks.signature && !checks.owner,
            "{checks:?}"
        );
        let now = issue(&l, 2);
        assert_eq!(
            (now.owner.as_str(), now.acquisition),
            ("ann", Acquisition::Gift)
        );
        assert_eq!(now.price, None);
        assert!(now.checks.all());
    }

    #[test]
    fn an_endorsed_registration_is_reported_with_its_curator_key() {
        let curator = SigningKey::from_bytes(&[9; 32]);
        let mut l = Ledger::new(SigningKey::from_bytes(&[3; 32]), 1, "t");
        for wallet in ["ilse", "ann"] {
            l.append(2, ops::open_wallet(wallet)).unwrap();
        }
        l.append(2, ops::grant("ann", 500)).unwrap();
        let registration = ops::register("lake", b"pixels", "ilse", 2, 100, &[], 0);
        l.append(3, ledger::endorse(registration, &curator))
            .unwrap();
        let p = l.state().purchase_payload("ann", "lake").unwrap();
        l.append(4, p).unwrap();
        let cert = issue(&l, 1);
        let key = curator.verifying_key().to_bytes();
        assert_eq!(cert.endorsement, Endorsement::By { key, valid: true });
        assert!(cert.endorsement_line().contains(&hex(&key)));
        assert!(cert.endorsement_line().contains("signature valid"));
        // The exhibition's own curator key: a curator's endorsement.
        let mut curated = cert.clone();
        curated.label.curator_key = Some(hex(&key));
        assert!(
            curated
                .endorsement_line()
                .starts_with("endorsed by curator key")
        );
        // Another key (a work published in the studio under its artist's key).
        let mut studio = cert.clone();
        studio.label.curator_key = Some(hex(&[1; 32]));
        assert!(
            studio
                .endorsement_line()
                .starts_with("signed by the artist's key"),
            "{}",
            studio.endorsement_line()
        );
    }

    #[test]
    fn the_picture_is_a_framed_portrait_card() {
        let l = ledger();
        let cert = issue(&l, 1);
        let typesetter = Typesetter::new().unwrap();
        let pixels = cert.render(&typesetter);
        assert_eq!((pixels.width, pixels.height), (1240, 1754));
        // The brass rule, paper inside it, and ink somewhere in the text.
        assert_eq!(pixels.get(50, 400), [150, 112, 48, 255]);
        assert_eq!(pixels.get(90, 400), [250, 247, 238, 255]);
        let inked = (0..pixels.height)
            .step_by(4)
            .flat_map(|y| (0..pixels.width).step_by(4).map(move |x| (x, y)))
            .filter(|&(x, y)| pixels.get(x, y)[0] < 100)
            .count();
        assert!(inked > 500, "{inked} dark samples");
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn certificates_are_saved_as_text_and_png() {
        let l = ledger();
        let cert = issue(&l, 2);
        let dir = std::env::temp_dir().join(format!("vernissage-cert-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let text = cert.save_text(&dir).unwrap();
        assert_eq!(text, dir.join("certificates").join("lake-2.txt"));
        assert_eq!(std::fs::read_to_string(&text).unwrap(), cert.to_text());
        let png = cert.save_png(&dir).unwrap();
        assert_eq!(png, dir.join("certificates").join("lake-2.png"));
        assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn times_read_as_utc_dates_and_minutes() {
        assert_eq!(utc_time_label(0), "1 Jan 1970, 00:00 UTC");
        assert_eq!(utc_time_label(1_767_225_600_000), "1 Jan 2026, 00:00 UTC");
        assert_eq!(
            utc_time_label(951_782_400_000 + 61_000),
            "29 Feb 2000, 00:01 UTC"
        );
        assert_eq!(utc_time_label(1_700_000_000_000), "14 Nov 2023, 22:13 UTC");
    }
}
