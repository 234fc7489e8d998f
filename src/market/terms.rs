//! An exhibition's works as ledger contracts: registration payloads from the level's terms, the
//! curator's endorsement, and where a level now disagrees with what its ledger recorded.

use crate::level::check::decode_hex;
use crate::level::schema::{Level, Role, Work};

use super::ledger::{self, BP_WHOLE, Endorsement, Hash, Payload, Share, WalletId};

/// Percent (two decimals at most, checked by the level validator) to basis points.
pub fn percent_to_bp(percent: f64) -> u16 {
    (percent * 100.0).round().clamp(0.0, f64::from(BP_WHOLE)) as u16
}

/// The wallet that receives a work's resale royalty and the remainder of every split: the
/// recipient of its first `Artist` share, or the work's artist by name.
pub fn artist_wallet(work: &Work) -> WalletId {
    work.royalties
        .iter()
        .find(|s| s.role == Role::Artist)
        .map_or_else(|| work.artist.clone(), |s| s.recipient.clone())
}

/// Every wallet a work's contract pays (artist first), without repeats.
pub fn payees(work: &Work) -> Vec<WalletId> {
    let mut out = vec![artist_wallet(work)];
    for share in &work.royalties {
        if !out.contains(&share.recipient) {
            out.push(share.recipient.clone());
        }
    }
    out
}

/// The primary-sale shares in ledger form: the artist's first (0 bp when the level gives the
/// artist no share), then every other share in the level's order.
pub fn shares(work: &Work) -> Vec<Share> {
    let artist = artist_wallet(work);
    let artist_index = work.royalties.iter().position(|s| s.role == Role::Artist);
    let mut out = vec![Share {
        wallet: artist,
        bp: artist_index.map_or(0, |i| percent_to_bp(work.royalties[i].percent)),
    }];
    for (i, share) in work.royalties.iter().enumerate() {
        if Some(i) != artist_index {
            out.push(Share {
                wallet: share.recipient.clone(),
                bp: percent_to_bp(share.percent),
            });
        }
    }
    out
}

/// The registration a work's level terms describe, without an endorsement.
pub fn registration(work: &Work, content_hash: Hash) -> Payload {
    Payload::RegisterWork {
        work: work.id.clone(),
        content_hash,
        artist: artist_wallet(work),
        editions: u32::try_from(work.editions.max(0)).unwrap_or(u32::MAX),
        price: u64::try_from(work.price.max(0)).unwrap_or(0),
        shares: shares(work),
        resale_bp: percent_to_bp(work.resale_royalty),
        endorsement: None,
    }
}

/// Why a work cannot be registered as the level stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unregistrable {
    /// The level names a curator key but carries no endorsement for the work.
    NotEndorsed,
    /// The endorsement does not verify for these terms (edited since it was signed?).
    BadEndorsement,
}

impl std::fmt::Display for Unregistrable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotEndorsed => write!(f, "the curator has not signed this work's registration"),
            Self::BadEndorsement => write!(
                f,
                "the curator's signature does not match this work's terms (edited since signing?)"
            ),
        }
    }
}

/// The registration to append for `work`: endorsed by the curator when the level names a
/// curator key (and then refused unless the endorsement verifies).
pub fn endorsed_registration(
    level: &Level,
    work: &Work,
    content_hash: Hash,
) -> Result<Payload, Unregistrable> {
    let mut payload = registration(work, content_hash);
    let Some(key) = level
        .market
        .curator_key
        .as_deref()
        .and_then(decode_hex::<32>)
    else {
        return Ok(payload);
    };
    let signature = level
        .market
        .endorsements
        .get(&work.id)
        .ok_or(Unregistrable::NotEndorsed)?;
    let signature = decode_hex::<64>(signature).ok_or(Unregistrable::BadEndorsement)?;
    if let Payload::RegisterWork { endorsement, .. } = &mut payload {
        *endorsement = Some(Endorsement {
            curator_key: key,
            signature,
        });
    }
    if ledger::endorsement_valid(&payload) {
        Ok(payload)
    } else {
        Err(Unregistrable::BadEndorsement)
    }
}

/// Lower-case hex of any bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the level's terms for `work` differ from what the ledger registered: the ledger wins,
/// these are reported so the curator knows the edit did not take effect.
pub fn contradictions(
    work: &Work,
    registered: &ledger::Work,
    content_hash: Option<Hash>,
) -> Vec<String> {
    let mut out = Vec::new();
    let Payload::RegisterWork {
        artist,
        editions,
        price,
        shares,
        resale_bp,
        ..
    } = registration(work, content_hash.unwrap_or_default())
    else {
        unreachable!("registration makes registrations")
    };
    if price != registered.price {
        out.push(format!(
            "price is {price} in the level but {} in the ledger",
            registered.price
        ));
    }
    if editions != registered.editions {
        out.push(format!(
            "editions is {editions} in the level but {} in the ledger",
            registered.editions
        ));
    }
    if artist != registered.artist || shares != registered.shares {
        out.push("the royalty split differs from the one registered in the ledger".into());
    }
    if resale_bp != registered.resale_bp {
        out.push(format!(
            "resale_royalty is {}% in the level but {}% in the ledger",
            f64::from(resale_bp) / 100.0,
            f64::from(registered.resale_bp) / 100.0
        ));
    }
    if let Some(hash) = content_hash
        && hash != registered.content_hash
    {
        out.push("the work's content changed since it was registered".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level::parse;
    use ed25519_dalek::SigningKey;

    fn level() -> Level {
        parse(&std::fs::read("levels/default.ron").unwrap()).unwrap()
    }

    #[test]
    fn shares_put_the_artist_first_and_sum_to_a_whole() {
        for work in &level().works {
            let shares = shares(work);
            assert_eq!(shares[0].wallet, artist_wallet(work), "{}", work.id);
            let total: u32 = shares.iter().map(|s| u32::from(s.bp)).sum();
            assert_eq!(total, u32::from(BP_WHOLE), "{}", work.id);
        }
    }

    #[test]
    fn a_work_without_an_artist_share_pays_its_artist_nothing_but_the_remainder() {
        let level = level();
        let mut work = level.works[0].clone();
        work.royalties.retain(|s| s.role != Role::Artist);
        let total: f64 = work.royalties.iter().map(|s| s.percent).sum();
        for s in &mut work.royalties {
            s.percent = s.percent * 100.0 / total;
            s.percent = (s.percent * 100.0).round() / 100.0;
        }
        let shares = shares(&work);
        assert_eq!(shares[0].wallet, work.artist);
        assert_eq!(shares[0].bp, 0);
    }

    #[test]
    fn every_bundled_work_registers_in_a_ledger() {
        let level = level();
        let mut l = ledger::Ledger::new(SigningKey::from_bytes(&[7; 32]), 1, "t");
        let mut wallets: Vec<WalletId> = level.works.iter().flat_map(payees).collect();
        wallets.sort();
        wallets.dedup();
        for w in &wallets {
            l.append(2, ledger::ops::open_wallet(w)).unwrap();
        }
        for work in &level.works {
            l.append(3, endorsed_registration(&level, work, [1; 32]).unwrap())
                .unwrap();
            assert!(contradictions(work, &l.state().works[&work.id], Some([1; 32])).is_empty());
        }
    }

    #[test]
    fn a_curator_key_requires_valid_endorsements() {
        let mut level = level();
        let curator = SigningKey::from_bytes(&[9; 32]);
        level.market.curator_key = Some(hex(&curator.verifying_key().to_bytes()));
        let work = level.works[0].clone();
        assert_eq!(
            endorsed_registration(&level, &work, [1; 32]),
            Err(Unregistrable::NotEndorsed)
        );
        let signed = ledger::endorse(registration(&work, [1; 32]), &curator);
        let Payload::RegisterWork {
            endorsement: Some(e),
            ..
        } = &signed
        else {
            panic!("endorsed")
        };
        level
            .market
            .endorsements
            .insert(work.id.clone(), hex(&e.signature));
        assert_eq!(endorsed_registration(&level, &work, [1; 32]), Ok(signed));
        // A price edited after signing breaks the endorsement.
        let mut edited = work.clone();
        edited.price += 1;
        assert_eq!(
            endorsed_registration(&level, &edited, [1; 32]),
            Err(Unregistrable::BadEndorsement)
        );
    }

    #[test]
    fn edits_after_registration_are_reported() {
        let level = level();
        let work = &level.works[0];
        let mut l = ledger::Ledger::new(SigningKey::from_bytes(&[7; 32]), 1, "t");
        for w in payees(work) {
            l.append(2, ledger::ops::open_wallet(&w)).unwrap();
        }
        l.append(3, registration(work, [1; 32])).unwrap();
        let mut edited = work.clone();
        edited.price += 10;
        edited.editions += 1;
        let found = contradictions(&edited, &l.state().works[&work.id], Some([2; 32]));
        assert_eq!(found.len(), 3, "{found:?}");
    }
}
