//! Canonical byte encoding of ledger entries and the record framing of the ledger file.
//!
//! All integers are big-endian; strings and lists are prefixed with their length as a `u32`.
//! This encoding is what the entry hash covers, so it must never change for version 1.

use super::{Endorsement, Entry, Head, Payload, Share};

/// File magic: the first bytes of every ledger file.
pub const FILE_MAGIC: &[u8; 8] = b"VNLEDG01";
/// Marker that starts every record in the ledger file.
pub const RECORD_MARKER: [u8; 2] = [0xA5, 0x5A];
/// Bytes of a record header: marker, length, bitwise complement of the length.
pub const RECORD_HEADER: usize = 2 + 4 + 4;
/// Largest record body accepted (guards against allocating for a corrupted length).
pub const MAX_RECORD: u32 = 1 << 24;

/// Why bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The bytes ended before the value did.
    UnexpectedEnd,
    /// Bytes were left over after the value.
    TrailingBytes,
    /// An unknown payload tag.
    UnknownTag(u8),
    /// A string that is not UTF-8.
    BadUtf8,
    /// A length prefix beyond [`MAX_RECORD`].
    TooLong,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnexpectedEnd => write!(f, "unexpected end of bytes"),
            Self::TrailingBytes => write!(f, "trailing bytes"),
            Self::UnknownTag(t) => write!(f, "unknown payload tag {t}"),
            Self::BadUtf8 => write!(f, "string is not UTF-8"),
            Self::TooLong => write!(f, "length prefix too large"),
        }
    }
}

impl std::error::Error for DecodeError {}

#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn bytes(&mut self, v: &[u8]) {
        self.0.extend_from_slice(v);
    }
    fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).expect("ledger value longer than u32::MAX"));
    }
    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.bytes(s.as_bytes());
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.0.len() < n {
            return Err(DecodeError::UnexpectedEnd);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.array()?))
    }
    fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_be_bytes(self.array()?))
    }
    fn len(&mut self) -> Result<usize, DecodeError> {
        let n = self.u32()?;
        if n > MAX_RECORD {
            return Err(DecodeError::TooLong);
        }
        Ok(n as usize)
    }
    fn str(&mut self) -> Result<String, DecodeError> {
        let n = self.len()?;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| DecodeError::BadUtf8)
    }
    fn finish(&self) -> Result<(), DecodeError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes)
        }
    }
}

/// Canonical bytes of a payload: a one-byte tag followed by its fields in declaration order.
pub fn encode_payload(payload: &Payload) -> Vec<u8> {
    let mut w = Writer::default();
    match payload {
        Payload::Genesis { ledger } => {
            w.u8(0);
            w.str(ledger);
        }
        Payload::OpenWallet { wallet } => {
            w.u8(1);
            w.str(wallet);
        }
        Payload::RegisterWork {
            work,
            content_hash,
            artist,
            editions,
            price,
            shares,
            resale_bp,
            endorsement,
        } => {
            w.u8(2);
            w.str(work);
            w.bytes(content_hash);
            w.str(artist);
            w.u32(*editions);
            w.u64(*price);
            w.len(shares.len());
            for share in shares {
                w.str(&share.wallet);
                w.u16(share.bp);
            }
            w.u16(*resale_bp);
            match endorsement {
                None => w.u8(0),
                Some(e) => {
                    w.u8(1);
                    w.bytes(&e.curator_key);
                    w.bytes(&e.signature);
                }
            }
        }
        Payload::Grant { wallet, amount } => {
            w.u8(3);
            w.str(wallet);
            w.u64(*amount);
        }
        Payload::Purchase {
            work,
            edition,
            buyer,
            price,
            credits,
        } => {
            w.u8(4);
            w.str(work);
            w.u32(*edition);
            w.str(buyer);
            w.u64(*price);
            w.len(credits.len());
            for (wallet, amount) in credits {
                w.str(wallet);
                w.u64(*amount);
            }
        }
        Payload::Transfer {
            work,
            edition,
            from,
            to,
        } => {
            w.u8(5);
            w.str(work);
            w.u32(*edition);
            w.str(from);
            w.str(to);
        }
        Payload::List {
            work,
            edition,
            seller,
            price,
        } => {
            w.u8(6);
            w.str(work);
            w.u32(*edition);
            w.str(seller);
            w.u64(*price);
        }
        Payload::Resale {
            work,
            edition,
            seller,
            buyer,
            price,
            royalty,
        } => {
            w.u8(7);
            w.str(work);
            w.u32(*edition);
            w.str(seller);
            w.str(buyer);
            w.u64(*price);
            w.u64(*royalty);
        }
    }
    w.0
}

fn decode_payload_from(r: &mut Reader<'_>) -> Result<Payload, DecodeError> {
    Ok(match r.u8()? {
        0 => Payload::Genesis { ledger: r.str()? },
        1 => Payload::OpenWallet { wallet: r.str()? },
        2 => {
            let work = r.str()?;
            let content_hash = r.array()?;
            let artist = r.str()?;
            let editions = r.u32()?;
            let price = r.u64()?;
            let n = r.len()?;
            let mut shares = Vec::new();
            for _ in 0..n {
                let wallet = r.str()?;
                let bp = r.u16()?;
                shares.push(Share { wallet, bp });
            }
            Payload::RegisterWork {
                work,
                content_hash,
                artist,
                editions,
                price,
                shares,
                resale_bp: r.u16()?,
                endorsement: match r.u8()? {
                    0 => None,
                    1 => Some(Endorsement {
                        curator_key: r.array()?,
                        signature: r.array()?,
                    }),
                    t => return Err(DecodeError::UnknownTag(t)),
                },
            }
        }
        3 => Payload::Grant {
            wallet: r.str()?,
            amount: r.u64()?,
        },
        4 => {
            let work = r.str()?;
            let edition = r.u32()?;
            let buyer = r.str()?;
            let price = r.u64()?;
            let n = r.len()?;
            let mut credits = Vec::new();
            for _ in 0..n {
                let wallet = r.str()?;
                credits.push((wallet, r.u64()?));
            }
            Payload::Purchase {
                work,
                edition,
                buyer,
                price,
                credits,
            }
        }
        5 => Payload::Transfer {
            work: r.str()?,
            edition: r.u32()?,
            from: r.str()?,
            to: r.str()?,
        },
        6 => Payload::List {
            work: r.str()?,
            edition: r.u32()?,
            seller: r.str()?,
            price: r.u64()?,
        },
        7 => Payload::Resale {
            work: r.str()?,
            edition: r.u32()?,
            seller: r.str()?,
            buyer: r.str()?,
            price: r.u64()?,
            royalty: r.u64()?,
        },
        tag => return Err(DecodeError::UnknownTag(tag)),
    })
}

/// Decodes the bytes written by [`encode_payload`].
pub fn decode_payload(bytes: &[u8]) -> Result<Payload, DecodeError> {
    let mut r = Reader(bytes);
    let payload = decode_payload_from(&mut r)?;
    r.finish()?;
    Ok(payload)
}

/// The bytes an entry's hash covers: domain tag, index, timestamp, previous hash, payload.
pub fn hashed_bytes(
    index: u64,
    timestamp: u64,
    prev_hash: &[u8; 32],
    payload: &Payload,
) -> Vec<u8> {
    let mut w = Writer::default();
    w.bytes(b"vernissage-ledger-entry-v1");
    w.u64(index);
    w.u64(timestamp);
    w.bytes(prev_hash);
    let body = encode_payload(payload);
    w.len(body.len());
    w.bytes(&body);
    w.0
}

/// The bytes a HEAD signature covers.
pub fn head_bytes(index: u64, hash: &[u8; 32]) -> Vec<u8> {
    let mut w = Writer::default();
    w.bytes(b"vernissage-ledger-head-v1");
    w.u64(index);
    w.bytes(hash);
    w.0
}

/// An entry as stored: index, timestamp, previous hash, length-prefixed payload, hash, signature.
pub fn encode_entry(entry: &Entry) -> Vec<u8> {
    let mut w = Writer::default();
    w.u64(entry.index);
    w.u64(entry.timestamp);
    w.bytes(&entry.prev_hash);
    let body = encode_payload(&entry.payload);
    w.len(body.len());
    w.bytes(&body);
    w.bytes(&entry.hash);
    w.bytes(&entry.signature);
    w.0
}

/// Decodes the bytes written by [`encode_entry`] (no hash or signature check: see `verify`).
pub fn decode_entry(bytes: &[u8]) -> Result<Entry, DecodeError> {
    let mut r = Reader(bytes);
    let index = r.u64()?;
    let timestamp = r.u64()?;
    let prev_hash = r.array()?;
    let n = r.len()?;
    let payload = decode_payload(r.take(n)?)?;
    let hash = r.array()?;
    let signature = r.array()?;
    r.finish()?;
    Ok(Entry {
        index,
        timestamp,
        payload,
        prev_hash,
        hash,
        signature,
    })
}

/// A HEAD as stored: index, hash, signature (104 bytes).
pub fn encode_head(head: &Head) -> Vec<u8> {
    let mut w = Writer::default();
    w.u64(head.index);
    w.bytes(&head.hash);
    w.bytes(&head.signature);
    w.0
}

/// Decodes the bytes written by [`encode_head`].
pub fn decode_head(bytes: &[u8]) -> Result<Head, DecodeError> {
    let mut r = Reader(bytes);
    let head = Head {
        index: r.u64()?,
        hash: r.array()?,
        signature: r.array()?,
    };
    r.finish()?;
    Ok(head)
}

/// One framed record of the ledger file: marker, `u32` length, its complement, the body.
pub fn frame_record(body: &[u8]) -> Vec<u8> {
    let n = u32::try_from(body.len()).expect("record longer than u32::MAX");
    let mut out = Vec::with_capacity(RECORD_HEADER + body.len());
    out.extend_from_slice(&RECORD_MARKER);
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(&(!n).to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// How the record sequence of a ledger file ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tail {
    /// Every byte belongs to a whole record.
    Clean,
    /// The last record was cut short (a torn write); the whole records end at byte `valid_len`.
    Torn { valid_len: usize },
    /// Record `index` (starting at byte `offset`) has a damaged header.
    Damaged { index: u64, offset: usize },
    /// The file does not start with [`FILE_MAGIC`].
    BadMagic,
}

/// Splits a ledger file into record bodies. A header whose marker and length check out but
/// whose body runs past the end, or a partial header at the very end, is a torn write; a
/// header that does not check out is damage.
pub fn split_records(file: &[u8]) -> (Vec<&[u8]>, Tail) {
    let mut bodies = Vec::new();
    if file.len() < FILE_MAGIC.len() {
        // A file cut inside its magic is torn only if what is there is a prefix of the magic.
        return if FILE_MAGIC.starts_with(file) {
            (bodies, Tail::Torn { valid_len: 0 })
        } else {
            (bodies, Tail::BadMagic)
        };
    }
    if &file[..FILE_MAGIC.len()] != FILE_MAGIC {
        return (bodies, Tail::BadMagic);
    }
    let mut at = FILE_MAGIC.len();
    while at < file.len() {
        let index = bodies.len() as u64;
        let rest = &file[at..];
        let marker_len = rest.len().min(2);
        if rest[..marker_len] != RECORD_MARKER[..marker_len] {
            return (bodies, Tail::Damaged { index, offset: at });
        }
        if rest.len() < RECORD_HEADER {
            // A partial header at the very end with an intact marker: a torn write.
            return (bodies, Tail::Torn { valid_len: at });
        }
        let n = u32::from_be_bytes(rest[2..6].try_into().expect("4 bytes"));
        let check = u32::from_be_bytes(rest[6..10].try_into().expect("4 bytes"));
        if check != !n || n > MAX_RECORD {
            return (bodies, Tail::Damaged { index, offset: at });
        }
        let end = RECORD_HEADER + n as usize;
        if rest.len() < end {
            return (bodies, Tail::Torn { valid_len: at });
        }
        bodies.push(&rest[RECORD_HEADER..end]);
        at += end;
    }
    (bodies, Tail::Clean)
}
