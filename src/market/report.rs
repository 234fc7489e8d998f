//! Text for people and spreadsheets about a ledger (`vernissage ledger ...`), and the one text
//! edit `sign-level --write` makes to a level: everything pure, so it is tested on its own.

use std::collections::BTreeMap;

use super::ledger::{Entry, Hash, Payload, State, VerifyReason};
use super::terms::hex;

/// UTC ISO-8601 of a millisecond timestamp, e.g. `2025-03-01T18:04:05.123Z`.
pub fn iso8601_utc(ms: u64) -> String {
    let secs = ms / 1000;
    let days = secs / 86_400;
    let rest = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        ms % 1000
    )
}

/// Year, month and day of a count of days since 1970-01-01 (proleptic Gregorian calendar;
/// Howard Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// The short name of an entry's kind, as `show`, `--json` and CSV print it.
pub fn kind_name(payload: &Payload) -> &'static str {
    match payload {
        Payload::Genesis { .. } => "genesis",
        Payload::OpenWallet { .. } => "open-wallet",
        Payload::RegisterWork { .. } => "register",
        Payload::Grant { .. } => "grant",
        Payload::Purchase { .. } => "purchase",
        Payload::Transfer { .. } => "transfer",
        Payload::List { .. } => "list",
        Payload::Resale { .. } => "resale",
    }
}

/// The first 12 hex digits of a hash.
pub fn short_hash(hash: &Hash) -> String {
    hex(&hash[..6])
}

/// Basis points as a percent with up to two decimals: `8500` → `85%`, `1250` → `12.5%`.
pub fn percent(bp: u16) -> String {
    let whole = bp / 100;
    match bp % 100 {
        0 => format!("{whole}%"),
        c if c % 10 == 0 => format!("{whole}.{}%", c / 10),
        c => format!("{whole}.{c:02}%"),
    }
}

/// A one-line human summary of an entry's payload, e.g.
/// `purchase sunrise #3 by visitor-ab12 for 680 (Ilse Varga 578, Maren Lind 68, Kestrel Hall 34)`.
pub fn summary(payload: &Payload) -> String {
    match payload {
        Payload::Genesis { ledger } => format!("genesis of ledger \"{ledger}\""),
        Payload::OpenWallet { wallet } => format!("open wallet {wallet}"),
        Payload::RegisterWork {
            work,
            artist,
            editions,
            price,
            shares,
            resale_bp,
            endorsement,
            ..
        } => {
            let split: Vec<String> = shares
                .iter()
                .map(|s| format!("{} {}", s.wallet, percent(s.bp)))
                .collect();
            let endorsed = match endorsement {
                Some(e) => format!(", endorsed by curator {}", short_hash(&e.curator_key)),
                None => String::new(),
            };
            let plural = if *editions == 1 { "" } else { "s" };
            format!(
                "register {work} by {artist}: {editions} edition{plural} at {price} ({}), resale royalty {}{endorsed}",
                split.join(", "),
                percent(*resale_bp)
            )
        }
        Payload::Grant { wallet, amount } => format!("grant {amount} to {wallet}"),
        Payload::Purchase {
            work,
            edition,
            buyer,
            price,
            credits,
        } => {
            let credits: Vec<String> = credits
                .iter()
                .map(|(wallet, amount)| format!("{wallet} {amount}"))
                .collect();
            format!(
                "purchase {work} #{edition} by {buyer} for {price} ({})",
                credits.join(", ")
            )
        }
        Payload::Transfer {
            work,
            edition,
            from,
            to,
        } => format!("transfer {work} #{edition} from {from} to {to}"),
        Payload::List {
            work,
            edition,
            seller,
            price,
        } => format!("list {work} #{edition} by {seller} at {price}"),
        Payload::Resale {
            work,
            edition,
            seller,
            buyer,
            price,
            royalty,
        } => format!(
            "resale {work} #{edition} from {seller} to {buyer} for {price} (artist royalty {royalty}, seller {})",
            price.saturating_sub(*royalty)
        ),
    }
}

/// One line of `vernissage ledger show`: index, UTC time, kind, summary, short hash.
pub fn entry_line(entry: &Entry) -> String {
    format!(
        "{:>5}  {}  {:<11}  {}  {}",
        entry.index,
        iso8601_utc(entry.timestamp),
        kind_name(&entry.payload),
        summary(&entry.payload),
        short_hash(&entry.hash)
    )
}

/// One JSON object per entry (`vernissage ledger show --json`): index, times, kind, hashes and
/// the payload's fields by name (hashes, keys and signatures in hex).
pub fn entry_json(entry: &Entry) -> serde_json::Value {
    use serde_json::json;
    let mut value = json!({
        "index": entry.index,
        "timestamp_ms": entry.timestamp,
        "time": iso8601_utc(entry.timestamp),
        "kind": kind_name(&entry.payload),
        "hash": hex(&entry.hash),
        "prev_hash": hex(&entry.prev_hash),
    });
    let fields = match &entry.payload {
        Payload::Genesis { ledger } => json!({ "ledger": ledger }),
        Payload::OpenWallet { wallet } => json!({ "wallet": wallet }),
        Payload::RegisterWork {
            work,
            content_hash,
            artist,
            editions,
            price,
            shares,
            resale_bp,
            endorsement,
        } => json!({
            "work": work,
            "content_hash": hex(content_hash),
            "artist": artist,
            "editions": editions,
            "price": price,
            "shares": shares
                .iter()
                .map(|s| json!({ "wallet": s.wallet, "bp": s.bp }))
                .collect::<Vec<_>>(),
            "resale_bp": resale_bp,
            "endorsement": endorsement.map(|e| json!({
                "curator_key": hex(&e.curator_key),
                "signature": hex(&e.signature),
            })),
        }),
        Payload::Grant { wallet, amount } => json!({ "wallet": wallet, "amount": amount }),
        Payload::Purchase {
            work,
            edition,
            buyer,
            price,
            credits,
        } => json!({
            "work": work,
            "edition": edition,
            "buyer": buyer,
            "price": price,
            "credits": credits
                .iter()
                .map(|(wallet, amount)| json!({ "wallet": wallet, "amount": amount }))
                .collect::<Vec<_>>(),
        }),
        Payload::Transfer {
            work,
            edition,
            from,
            to,
        } => json!({ "work": work, "edition": edition, "from": from, "to": to }),
        Payload::List {
            work,
            edition,
            seller,
            price,
        } => json!({ "work": work, "edition": edition, "seller": seller, "price": price }),
        Payload::Resale {
            work,
            edition,
            seller,
            buyer,
            price,
            royalty,
        } => json!({
            "work": work,
            "edition": edition,
            "seller": seller,
            "buyer": buyer,
            "price": price,
            "royalty": royalty,
        }),
    };
    if let (Some(out), serde_json::Value::Object(fields)) = (value.as_object_mut(), fields) {
        out.extend(fields);
    }
    value
}

/// The CSV header of `vernissage ledger export --csv`.
pub const CSV_HEADER: &str = "index,timestamp_ms,kind,work,edition,from,to,amount,hash";

/// One CSV field, quoted when it holds a comma, a quote or a line break (quotes doubled).
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// The CSV rows of one entry other than a resale (see [`csv`]).
fn csv_rows(entry: &Entry) -> Vec<String> {
    struct Row<'a> {
        work: &'a str,
        edition: Option<u32>,
        from: &'a str,
        to: &'a str,
        amount: Option<u64>,
    }
    let row = |work, edition, from, to, amount| Row {
        work,
        edition,
        from,
        to,
        amount,
    };
    let rows: Vec<Row> = match &entry.payload {
        Payload::Genesis { .. } => vec![row("", None, "", "", None)],
        Payload::OpenWallet { wallet } => vec![row("", None, "", wallet, None)],
        Payload::RegisterWork {
            work,
            artist,
            price,
            ..
        } => vec![row(work, None, "", artist, Some(*price))],
        Payload::Grant { wallet, amount } => vec![row("", None, "", wallet, Some(*amount))],
        Payload::Purchase {
            work,
            edition,
            buyer,
            credits,
            ..
        } => credits
            .iter()
            .map(|(to, amount)| row(work, Some(*edition), buyer, to, Some(*amount)))
            .collect(),
        Payload::Transfer {
            work,
            edition,
            from,
            to,
        } => vec![row(work, Some(*edition), from, to, None)],
        Payload::List {
            work,
            edition,
            seller,
            price,
        } => vec![row(work, Some(*edition), seller, "", Some(*price))],
        // A resale's artist is not in its payload: `csv` finds it in the registration.
        Payload::Resale { .. } => Vec::new(),
    };
    let hash = hex(&entry.hash);
    rows.into_iter()
        .map(|r| csv_line(entry, r.work, r.edition, r.from, r.to, r.amount, &hash))
        .collect()
}

fn csv_line(
    entry: &Entry,
    work: &str,
    edition: Option<u32>,
    from: &str,
    to: &str,
    amount: Option<u64>,
    hash: &str,
) -> String {
    [
        entry.index.to_string(),
        entry.timestamp.to_string(),
        kind_name(&entry.payload).to_string(),
        csv_field(work),
        edition.map_or_else(String::new, |e| e.to_string()),
        csv_field(from),
        csv_field(to),
        amount.map_or_else(String::new, |a| a.to_string()),
        hash.to_string(),
    ]
    .join(",")
}

/// The whole CSV export of `entries` (header first, `\n` line ends). Every entry gives one
/// row, except that a purchase gives one row per credit and a resale two (the artist's royalty,
/// then the seller's part): each of those rows is a payment from the buyer (`from`) to a payee
/// (`to`), and an entry's amounts add up to its price. Genesis has only its kind;
/// `open-wallet` and `grant` name the wallet in `to`; `register` has the artist in `to` and the
/// price in `amount`; `list` has the seller in `from` and the asking price in `amount`;
/// `transfer` has no amount.
pub fn csv(entries: &[Entry]) -> String {
    let mut artists: BTreeMap<&str, &str> = BTreeMap::new();
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for entry in entries {
        let lines = match &entry.payload {
            Payload::RegisterWork { work, artist, .. } => {
                artists.insert(work, artist);
                csv_rows(entry)
            }
            Payload::Resale {
                work,
                edition,
                seller,
                buyer,
                price,
                royalty,
            } => {
                let hash = hex(&entry.hash);
                let artist = artists.get(work.as_str()).copied().unwrap_or("");
                vec![
                    csv_line(
                        entry,
                        work,
                        Some(*edition),
                        buyer,
                        artist,
                        Some(*royalty),
                        &hash,
                    ),
                    csv_line(
                        entry,
                        work,
                        Some(*edition),
                        buyer,
                        seller,
                        Some(price.saturating_sub(*royalty)),
                        &hash,
                    ),
                ]
            }
            _ => csv_rows(entry),
        };
        for line in lines {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// `vernissage ledger balances`: every wallet's balance, the editions each wallet owns, and the
/// open listings.
pub fn balances_lines(state: &State) -> Vec<String> {
    let mut out = vec![format!(
        "wallets ({}, {} tokens granted):",
        state.balances.len(),
        state.granted
    )];
    let width = state
        .balances
        .keys()
        .map(|w| w.chars().count())
        .max()
        .unwrap_or(0);
    for (wallet, balance) in &state.balances {
        out.push(format!("  {wallet:<width$}  {balance:>10}"));
    }
    let mut owned: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for ((work, edition), owner) in &state.owners {
        owned
            .entry(owner.as_str())
            .or_default()
            .push(format!("{work} #{edition}"));
    }
    out.push(format!("owned editions ({}):", state.owners.len()));
    if owned.is_empty() {
        out.push("  none".into());
    }
    for (owner, editions) in &owned {
        out.push(format!("  {owner}: {}", editions.join(", ")));
    }
    out.push(format!("open listings ({}):", state.listings.len()));
    if state.listings.is_empty() {
        out.push("  none".into());
    }
    for ((work, edition), price) in &state.listings {
        let seller = state
            .owners
            .get(&(work.clone(), *edition))
            .map_or("?", String::as_str);
        out.push(format!("  {work} #{edition} by {seller} at {price}"));
    }
    out
}

/// Why verification failed, in words.
pub fn describe_reason(reason: &VerifyReason) -> String {
    match reason {
        VerifyReason::WrongIndex { found } => {
            format!("it claims to be entry {found} (entries deleted or reordered)")
        }
        VerifyReason::BrokenChain => "it does not link to the entry before it".into(),
        VerifyReason::HashMismatch => "its content does not match its hash (changed bytes)".into(),
        VerifyReason::BadSignature => {
            "its signature does not verify with this installation's key".into()
        }
        VerifyReason::Rule(e) => format!("it breaks a rule: {e}"),
        VerifyReason::Invariant(e) => format!("an invariant fails after it: {e}"),
        VerifyReason::Decode(e) => format!("its bytes do not decode: {e}"),
        VerifyReason::Framing => "the record framing is damaged".into(),
        VerifyReason::Truncated { head_index } => {
            format!("entries are missing from the end (the signed HEAD names entry {head_index})")
        }
        VerifyReason::HeadMismatch => "the HEAD's hash is not this entry's hash".into(),
        VerifyReason::HeadSignature => "the HEAD's signature does not verify".into(),
        VerifyReason::Empty => "the ledger holds no entry".into(),
        VerifyReason::MissingHead => "ledger.head is missing or unreadable".into(),
    }
}

/// The field (below `works[i]`) that a message of `terms::contradictions` is about, so it is
/// located at that value in the level.
pub fn contradiction_field(message: &str) -> &'static str {
    if message.starts_with("price ") {
        "price"
    } else if message.starts_with("editions ") {
        "editions"
    } else if message.starts_with("resale_royalty ") {
        "resale_royalty"
    } else if message.contains("royalty split") {
        "royalties"
    } else if message.contains("content") {
        "kind"
    } else {
        ""
    }
}

/// A RON string literal.
pub fn ron_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The value of an `endorsements` map in RON, entries indented by `indent` plus four spaces and
/// the closing brace by `indent`.
pub fn endorsements_value(endorsements: &BTreeMap<String, String>, indent: &str) -> String {
    if endorsements.is_empty() {
        return "{}".into();
    }
    let mut out = String::from("{\n");
    for (id, signature) in endorsements {
        out.push_str(&format!(
            "{indent}    {}: {},\n",
            ron_string(id),
            ron_string(signature)
        ));
    }
    out.push_str(indent);
    out.push('}');
    out
}

/// Why [`set_endorsements`] could not edit a level's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// The text's top-level value is not a struct `( ... )`.
    NoLevel,
    /// The level has no `market: ( ... )` section.
    NoMarket,
    /// Brackets, strings or comments do not close.
    Unbalanced,
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoLevel => write!(f, "the file's top-level value is not a level `( ... )`"),
            Self::NoMarket => write!(f, "the level has no `market: ( ... )` section"),
            Self::Unbalanced => {
                write!(f, "brackets, strings or comments in the level do not close")
            }
        }
    }
}

impl std::error::Error for EditError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    Ident(&'a str),
    Punct(u8),
    /// Strings, chars, numbers: anything that is a value but not a bracket.
    Atom,
}

/// A significant token and its byte span; whitespace and comments are skipped.
#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    tok: Tok<'a>,
    start: usize,
    end: usize,
}

/// Splits RON text into tokens, skipping whitespace, `//` and (nested) `/* */` comments, and
/// reading `"..."`, `r#"..."#`, `b"..."` and `'c'` literals whole.
fn tokenize(text: &str) -> Result<Vec<Token<'_>>, EditError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
        } else if text[i..].starts_with('\u{feff}') {
            i += '\u{feff}'.len_utf8();
        } else if bytes[i..].starts_with(b"//") {
            i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
        } else if bytes[i..].starts_with(b"/*") {
            let mut depth = 0usize;
            loop {
                if bytes[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if bytes[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else if i >= bytes.len() {
                    return Err(EditError::Unbalanced);
                } else {
                    i += 1;
                }
            }
        } else if c == b'"' || (c == b'b' && bytes.get(i + 1) == Some(&b'"')) {
            i = quoted(bytes, i + usize::from(c == b'b') + 1, b'"')?;
            out.push(Token {
                tok: Tok::Atom,
                start,
                end: i,
            });
        } else if c == b'\'' {
            i = quoted(bytes, i + 1, b'\'')?;
            out.push(Token {
                tok: Tok::Atom,
                start,
                end: i,
            });
        } else if let Some(after) = raw_string(bytes, i) {
            i = after?;
            out.push(Token {
                tok: Tok::Atom,
                start,
                end: i,
            });
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(&text[start..i]),
                start,
                end: i,
            });
        } else if b"()[]{}:,#!".contains(&c) {
            i += 1;
            out.push(Token {
                tok: Tok::Punct(c),
                start,
                end: i,
            });
        } else {
            // Numbers and anything else: up to the next separator.
            i += text[i..].chars().next().map_or(1, char::len_utf8);
            while i < bytes.len()
                && !bytes[i].is_ascii_whitespace()
                && !b"()[]{}:,\"'/".contains(&bytes[i])
            {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Atom,
                start,
                end: i,
            });
        }
    }
    Ok(out)
}

/// The end of a quoted literal whose body starts at `i`, honouring backslash escapes.
fn quoted(bytes: &[u8], mut i: usize, quote: u8) -> Result<usize, EditError> {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            c if c == quote => return Ok(i + 1),
            _ => i += 1,
        }
    }
    Err(EditError::Unbalanced)
}

/// A raw string `r"..."`, `r#"..."#`, `br#"..."#` starting at `i`: `Some(its end)`.
fn raw_string(bytes: &[u8], i: usize) -> Option<Result<usize, EditError>> {
    let mut j = i;
    if bytes.get(j) == Some(&b'b') {
        j += 1;
    }
    if bytes.get(j) != Some(&b'r') {
        return None;
    }
    j += 1;
    let hashes = bytes[j..].iter().take_while(|&&b| b == b'#').count();
    j += hashes;
    if bytes.get(j) != Some(&b'"') {
        return None;
    }
    j += 1;
    let mut close = vec![b'"'];
    close.extend(std::iter::repeat_n(b'#', hashes));
    Some(
        bytes[j..]
            .windows(close.len())
            .position(|w| w == close.as_slice())
            .map(|p| j + p + close.len())
            .ok_or(EditError::Unbalanced),
    )
}

/// The index of the token closing the bracket opened at `tokens[open]`.
fn matching(tokens: &[Token], open: usize) -> Result<usize, EditError> {
    let mut depth = 0usize;
    for (k, t) in tokens.iter().enumerate().skip(open) {
        match t.tok {
            Tok::Punct(b'(' | b'[' | b'{') => depth += 1,
            Tok::Punct(b')' | b']' | b'}') => {
                depth = depth.checked_sub(1).ok_or(EditError::Unbalanced)?;
                if depth == 0 {
                    return Ok(k);
                }
            }
            _ => {}
        }
    }
    Err(EditError::Unbalanced)
}

/// The value of field `name` directly inside the struct whose brackets are the tokens `open`
/// and `close`: the index of the value's first token.
fn field_value(tokens: &[Token], open: usize, close: usize, name: &str) -> Option<usize> {
    let mut k = open + 1;
    while k < close {
        match tokens[k].tok {
            Tok::Ident(id)
                if id == name
                    && tokens.get(k + 1).map(|t| t.tok) == Some(Tok::Punct(b':'))
                    && k + 2 < close =>
            {
                return Some(k + 2);
            }
            Tok::Punct(b'(' | b'[' | b'{') => k = matching(tokens, k).ok()? + 1,
            _ => k += 1,
        }
    }
    None
}

/// The leading spaces and tabs of the line holding byte `at`.
fn line_indent(text: &str, at: usize) -> &str {
    let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    let line = &text[line_start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// `text` (a level in RON) with `market.endorsements` set to `endorsements`: the existing
/// value is replaced, or the field is added before the closing bracket of `market: ( ... )`.
/// Every other byte, comments included, stays as it was.
pub fn set_endorsements(
    text: &str,
    endorsements: &BTreeMap<String, String>,
) -> Result<String, EditError> {
    let tokens = tokenize(text)?;
    // The top-level value: skip `#![enable(...)]` attributes and an optional struct name.
    let mut k = 0;
    while k < tokens.len() && tokens[k].tok == Tok::Punct(b'#') {
        let open = (k..tokens.len())
            .find(|&j| tokens[j].tok == Tok::Punct(b'['))
            .ok_or(EditError::NoLevel)?;
        k = matching(&tokens, open)? + 1;
    }
    if matches!(tokens.get(k).map(|t| t.tok), Some(Tok::Ident(_))) {
        k += 1;
    }
    if tokens.get(k).map(|t| t.tok) != Some(Tok::Punct(b'(')) {
        return Err(EditError::NoLevel);
    }
    let level_close = matching(&tokens, k)?;
    let mut market = field_value(&tokens, k, level_close, "market").ok_or(EditError::NoMarket)?;
    if matches!(tokens[market].tok, Tok::Ident(_)) {
        market += 1;
    }
    if tokens.get(market).map(|t| t.tok) != Some(Tok::Punct(b'(')) {
        return Err(EditError::NoMarket);
    }
    let market_close = matching(&tokens, market)?;

    if let Some(value) = field_value(&tokens, market, market_close, "endorsements") {
        // Replace the existing value, whatever it is (normally `{ ... }`).
        let value_end = match tokens[value].tok {
            Tok::Punct(b'(' | b'[' | b'{') => matching(&tokens, value)?,
            _ => value,
        };
        let key = value - 2;
        let indent = line_indent(text, tokens[key].start);
        let new = endorsements_value(endorsements, indent);
        let (start, end) = (tokens[value].start, tokens[value_end].end);
        return Ok(format!("{}{new}{}", &text[..start], &text[end..]));
    }

    // Add the field before the closing bracket.
    let close = tokens[market_close];
    let last = tokens[market_close - 1];
    let needs_comma = last.tok != Tok::Punct(b',') && market_close - 1 != market;
    let close_on_own_line = text[last.end..close.start].contains('\n');
    let mut out = String::with_capacity(text.len() + 200 * (endorsements.len() + 1));
    if close_on_own_line {
        // Indent like the other fields, or four spaces deeper than `market`.
        let indent = if market_close - 1 != market {
            line_indent(text, tokens[market + 1].start).to_string()
        } else {
            format!("{}    ", line_indent(text, tokens[market].start))
        };
        let close_line = text[..close.start].rfind('\n').map_or(0, |n| n + 1);
        out.push_str(&text[..last.end]);
        if needs_comma {
            out.push(',');
        }
        out.push_str(&text[last.end..close_line]);
        out.push_str(&format!(
            "{indent}endorsements: {},\n",
            endorsements_value(endorsements, &indent)
        ));
        out.push_str(&text[close_line..]);
    } else {
        let indent = line_indent(text, tokens[market].start).to_string();
        out.push_str(&text[..last.end]);
        out.push_str(match (needs_comma, market_close - 1 == market) {
            (_, true) => "",
            (true, false) => ", ",
            (false, false) => " ",
        });
        out.push_str(&format!(
            "endorsements: {}",
            endorsements_value(endorsements, &indent)
        ));
        out.push_str(&text[last.end..]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::ledger::{Ledger, ops};
    use ed25519_dalek::SigningKey;

    #[test]
    fn timestamps_print_as_utc_iso_8601() {
        assert_eq!(iso8601_utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601_utc(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso8601_utc(1_709_251_199_999), "2024-02-29T23:59:59.999Z");
        assert_eq!(iso8601_utc(1_735_689_600_123), "2025-01-01T00:00:00.123Z");
        assert_eq!(iso8601_utc(4_102_444_800_000), "2100-01-01T00:00:00.000Z");
    }

    #[test]
    fn percents_keep_up_to_two_decimals() {
        assert_eq!(percent(8500), "85%");
        assert_eq!(percent(1250), "12.5%");
        assert_eq!(percent(5), "0.05%");
        assert_eq!(percent(10_000), "100%");
    }

    fn sample() -> Ledger {
        let mut l = Ledger::new(SigningKey::from_bytes(&[3; 32]), 1_000, "test");
        for w in [
            "Ilse Varga",
            "Maren Lind",
            "Kestrel Hall, Ltd",
            "visitor-ab12",
            "v2",
        ] {
            l.append(2_000, ops::open_wallet(w)).unwrap();
        }
        l.append(
            3_000,
            ops::register(
                "sunrise",
                b"src",
                "Ilse Varga",
                8,
                680,
                &[("Maren Lind", 1000), ("Kestrel Hall, Ltd", 500)],
                1000,
            ),
        )
        .unwrap();
        l.append(4_000, ops::grant("visitor-ab12", 1000)).unwrap();
        l.append(4_000, ops::grant("v2", 1000)).unwrap();
        let p = l
            .state()
            .purchase_payload("visitor-ab12", "sunrise")
            .unwrap();
        l.append(5_000, p).unwrap();
        l.append(6_000, ops::list("sunrise", 1, "visitor-ab12", 300))
            .unwrap();
        let r = l.state().resale_payload("v2", "sunrise", 1).unwrap();
        l.append(7_000, r).unwrap();
        l.append(8_000, ops::list("sunrise", 1, "v2", 400)).unwrap();
        l
    }

    #[test]
    fn summaries_name_who_paid_whom() {
        let l = sample();
        let purchase = &l.entries()[9];
        assert_eq!(
            summary(&purchase.payload),
            "purchase sunrise #1 by visitor-ab12 for 680 (Ilse Varga 578, Maren Lind 68, Kestrel Hall, Ltd 34)"
        );
        let line = entry_line(purchase);
        assert!(line.contains("1970-01-01T00:00:05.000Z"), "{line}");
        assert!(line.contains("purchase"), "{line}");
        assert!(line.ends_with(&short_hash(&purchase.hash)), "{line}");
        let json = entry_json(purchase);
        assert_eq!(json["kind"], "purchase");
        assert_eq!(json["credits"][0]["amount"], 578);
        assert_eq!(json["index"], 9);
        assert!(
            summary(&l.entries()[6].payload)
                .starts_with("register sunrise by Ilse Varga: 8 editions at 680 (Ilse Varga 85%")
        );
    }

    #[test]
    fn csv_quotes_names_and_pays_each_payee_on_its_own_row() {
        let l = sample();
        let text = csv(l.entries());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], CSV_HEADER);
        let purchase: Vec<&&str> = lines.iter().filter(|l| l.contains(",purchase,")).collect();
        assert_eq!(purchase.len(), 3);
        assert!(
            purchase[2]
                .starts_with("9,5000,purchase,sunrise,1,visitor-ab12,\"Kestrel Hall, Ltd\",34,")
        );
        let resale: Vec<&&str> = lines.iter().filter(|l| l.contains(",resale,")).collect();
        assert_eq!(resale.len(), 2);
        assert!(resale[0].contains(",v2,Ilse Varga,30,"), "{}", resale[0]);
        assert!(resale[1].contains(",v2,visitor-ab12,270,"), "{}", resale[1]);
        assert_eq!(csv_field("say \"hi\", then"), "\"say \"\"hi\"\", then\"");
        // 13 entries; purchase and resale add 2 and 1 rows.
        assert_eq!(lines.len(), 1 + 13 + 2 + 1);
    }

    #[test]
    fn balances_list_wallets_owners_and_listings() {
        let l = sample();
        let lines = balances_lines(l.state());
        let text = lines.join("\n");
        assert!(text.contains("  v2: sunrise #1"), "{text}");
        assert!(text.contains("  sunrise #1 by v2 at 400"), "{text}");
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("  Ilse Varga") && l.ends_with(" 608")),
            "{text}"
        );
    }

    #[test]
    fn contradictions_are_located_at_their_field() {
        assert_eq!(
            contradiction_field("price is 700 in the level but 680 in the ledger"),
            "price"
        );
        assert_eq!(
            contradiction_field("editions is 2 in the level but 1 in the ledger"),
            "editions"
        );
        assert_eq!(
            contradiction_field("resale_royalty is 5% in the level but 10% in the ledger"),
            "resale_royalty"
        );
        assert_eq!(
            contradiction_field("the royalty split differs from the one registered in the ledger"),
            "royalties"
        );
        assert_eq!(
            contradiction_field("the work's content changed since it was registered"),
            "kind"
        );
    }

    fn sigs() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("a".to_string(), "11".to_string()),
            ("b".to_string(), "22".to_string()),
        ])
    }

    #[test]
    fn endorsements_are_inserted_before_markets_closing_bracket() {
        let text = "// show\n(\n    format: 1,\n    market: (\n        curator_key: \"ab\", // the curator\n    ),\n    works: [],\n)\n";
        let out = set_endorsements(text, &sigs()).unwrap();
        assert_eq!(
            out,
            "// show\n(\n    format: 1,\n    market: (\n        curator_key: \"ab\", // the curator\n        endorsements: {\n            \"a\": \"11\",\n            \"b\": \"22\",\n        },\n    ),\n    works: [],\n)\n"
        );
        // No trailing comma: one is added after the last value, not after its comment.
        let text = "(\n    market: (\n        curator_key: \"ab\" // key\n    ),\n)";
        let out = set_endorsements(text, &sigs()).unwrap();
        assert!(
            out.contains("curator_key: \"ab\", // key\n        endorsements: {\n"),
            "{out}"
        );
        // On one line.
        let out = set_endorsements("Level(market: Market(curator_key: \"ab\"))", &sigs()).unwrap();
        assert_eq!(
            out,
            "Level(market: Market(curator_key: \"ab\", endorsements: {\n    \"a\": \"11\",\n    \"b\": \"22\",\n}))"
        );
        let out = set_endorsements("(market: ())", &BTreeMap::new()).unwrap();
        assert_eq!(out, "(market: (endorsements: {}))");
    }

    #[test]
    fn existing_endorsements_are_replaced_and_everything_else_kept() {
        let text = "#![enable(implicit_some)]\n(\n    works: [(id: \"market\", d: \"market: (endorsements: {})\")],\n    /* market: ( /* nested */ ) */\n    market: (\n        endorsements: {\n            // old\n            \"a\": \"00\",\n        }, // kept\n        curator_key: r#\"x)\"#,\n    ),\n    after: 'c',\n)\n";
        let out = set_endorsements(text, &sigs()).unwrap();
        let expected = text.replace(
            "{\n            // old\n            \"a\": \"00\",\n        }",
            "{\n            \"a\": \"11\",\n            \"b\": \"22\",\n        }",
        );
        assert_eq!(out, expected);
        // Editing twice gives the same text.
        assert_eq!(set_endorsements(&out, &sigs()).unwrap(), out);
    }

    #[test]
    fn levels_without_a_market_or_with_open_brackets_are_refused() {
        assert_eq!(
            set_endorsements("(format: 1)", &sigs()),
            Err(EditError::NoMarket)
        );
        assert_eq!(set_endorsements("[1]", &sigs()), Err(EditError::NoLevel));
        assert_eq!(
            set_endorsements("(market: (", &sigs()),
            Err(EditError::Unbalanced)
        );
        assert_eq!(
            set_endorsements("(market: (a: \"x))", &sigs()),
            Err(EditError::Unbalanced)
        );
        assert_eq!(
            set_endorsements("(x: 1) /* open", &sigs()),
            Err(EditError::Unbalanced)
        );
        // `market` nested deeper is not the level's.
        assert_eq!(
            set_endorsements("(works: [(market: ())])", &sigs()),
            Err(EditError::NoMarket)
        );
    }

    #[test]
    fn reasons_read_as_sentences() {
        assert!(describe_reason(&VerifyReason::HashMismatch).contains("hash"));
        assert!(describe_reason(&VerifyReason::Truncated { head_index: 4 }).contains('4'));
    }
}
