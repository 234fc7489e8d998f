//! A ledger kept as one record per entry plus a signed HEAD, as the browser's IndexedDB keeps
//! it: the same checks as the ledger file, without framing (a record is whole or absent, and an
//! entry and its HEAD are written in one transaction).

use ed25519_dalek::SigningKey;

use super::{Entry, Head, Ledger, Payload, State, VerifyError, VerifyReason, codec};

/// What opening a record ledger found.
#[derive(Debug)]
pub struct Opened {
    /// The verified ledger, or `None` when damaged (read-only).
    pub ledger: Option<Ledger>,
    /// The state of the verified prefix.
    pub state: State,
    /// The first problem, with the entry's index.
    pub damage: Option<VerifyError>,
}

/// Verifies stored records: `(index, bytes)` in key order, and the HEAD's bytes. With no
/// records at all, a new ledger is started with `genesis` (timestamp, name); it must then be
/// written out by the caller (see [`Ledger::entries`] and [`Ledger::head`]).
pub fn open_records(
    key: SigningKey,
    records: &[(u64, Vec<u8>)],
    head: Option<&[u8]>,
    genesis: (u64, &str),
) -> Opened {
    if records.is_empty() && head.is_none() {
        let ledger = Ledger::new(key, genesis.0, genesis.1);
        return Opened {
            state: ledger.state().clone(),
            ledger: Some(ledger),
            damage: None,
        };
    }
    let damaged = |index: u64, reason: VerifyReason, entries: &[Entry], key: &SigningKey| {
        let state = super::verify_entries(entries, &[key.verifying_key()]).unwrap_or_default();
        Opened {
            ledger: None,
            state,
            damage: Some(VerifyError { index, reason }),
        }
    };
    let mut entries = Vec::with_capacity(records.len());
    for (position, (index, bytes)) in records.iter().enumerate() {
        let position = position as u64;
        if *index != position {
            // A record missing in the middle, or one stored under another index.
            return damaged(
                position,
                VerifyReason::WrongIndex { found: *index },
                &entries,
                &key,
            );
        }
        match codec::decode_entry(bytes) {
            Ok(entry) => entries.push(entry),
            Err(e) => return damaged(position, VerifyReason::Decode(e), &entries, &key),
        }
    }
    let keys = [key.verifying_key()];
    let state = match super::verify_entries(&entries, &keys) {
        Ok(state) => state,
        Err(e) => {
            let n = e.index as usize;
            return damaged(e.index, e.reason, &entries[..n], &key);
        }
    };
    let head: Head = match head.map(codec::decode_head) {
        None => {
            return damaged(
                entries.len() as u64,
                VerifyReason::MissingHead,
                &entries,
                &key,
            );
        }
        Some(Err(e)) => {
            return damaged(
                entries.len() as u64,
                VerifyReason::Decode(e),
                &entries,
                &key,
            );
        }
        Some(Ok(h)) => h,
    };
    if let Err(e) = super::check_head(&entries, &keys, &head) {
        return damaged(e.index, e.reason, &entries, &key);
    }
    if head.index + 1 != entries.len() as u64 {
        // Entries after the HEAD: written without their HEAD, which one transaction prevents.
        return damaged(head.index + 1, VerifyReason::HeadMismatch, &entries, &key);
    }
    match Ledger::from_entries(key, entries) {
        Ok(ledger) => Opened {
            state,
            ledger: Some(ledger),
            damage: None,
        },
        Err(e) => Opened {
            ledger: None,
            state: State::default(),
            damage: Some(e),
        },
    }
}

/// The records to store for `entry` and the HEAD after it: `(index, entry bytes)`, HEAD bytes.
pub fn records_for(ledger: &Ledger, entry: &Entry) -> ((u64, Vec<u8>), Vec<u8>) {
    (
        (entry.index, codec::encode_entry(entry)),
        codec::encode_head(&ledger.head()),
    )
}

/// Whether a payload is one a visitor asked for (rather than the gallery's bookkeeping).
pub fn is_order(payload: &Payload) -> bool {
    matches!(
        payload,
        Payload::Purchase { .. } | Payload::List { .. } | Payload::Resale { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::ledger::ops::*;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[4; 32])
    }

    fn stored() -> (Vec<(u64, Vec<u8>)>, Vec<u8>) {
        let mut l = Ledger::new(key(), 1, "web");
        l.append(2, open_wallet("ana")).unwrap();
        l.append(3, grant("ana", 50)).unwrap();
        let records = l
            .entries()
            .iter()
            .map(|e| (e.index, codec::encode_entry(e)))
            .collect();
        (records, codec::encode_head(&l.head()))
    }

    #[test]
    fn good_records_open_and_a_new_store_starts_a_ledger() {
        let (records, head) = stored();
        let opened = open_records(key(), &records, Some(&head), (0, "x"));
        assert!(opened.damage.is_none());
        assert_eq!(opened.state.balance("ana"), Some(50));
        let fresh = open_records(key(), &[], None, (9, "x"));
        assert_eq!(fresh.ledger.unwrap().entries().len(), 1);
    }

    #[test]
    fn damage_is_reported_at_its_entry() {
        let (records, head) = stored();
        // A changed byte in entry 1's payload.
        let mut flipped = records.clone();
        let last = flipped[1].1.len() - 100;
        flipped[1].1[last] ^= 1;
        let opened = open_records(key(), &flipped, Some(&head), (0, "x"));
        assert_eq!(opened.damage.unwrap().index, 1);
        // A deleted record.
        let mut missing = records.clone();
        missing.remove(1);
        assert_eq!(
            open_records(key(), &missing, Some(&head), (0, "x"))
                .damage
                .unwrap()
                .index,
            1
        );
        // The last record cut off: the HEAD names it.
        let cut = &records[..2];
        let d = open_records(key(), cut, Some(&head), (0, "x"))
            .damage
            .unwrap();
        assert_eq!(d.index, 2);
        assert!(matches!(d.reason, VerifyReason::Truncated { .. }), "{d:?}");
        // No HEAD at all.
        let d = open_records(key(), &records, None, (0, "x"))
            .damage
            .unwrap();
        assert_eq!(d.reason, VerifyReason::MissingHead);
        // Signed by another key.
        let other = SigningKey::from_bytes(&[5; 32]);
        let d = open_records(other, &records, Some(&head), (0, "x"))
            .damage
            .unwrap();
        assert_eq!(d.index, 0);
    }
}
