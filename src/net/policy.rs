//! What may be downloaded and how much: schemes, origins, size and time limits, and the
//! messages that say what went wrong with which URL (pure Rust).

use std::fmt;
use std::time::Duration;

use url::Url;

/// How much one exhibition may ask of the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest level file.
    pub level_bytes: u64,
    /// Largest asset (image, glTF, buffer).
    pub asset_bytes: u64,
    /// Redirects followed for one request.
    pub redirects: usize,
    /// Time to open a connection.
    pub connect: Duration,
    /// Time one download may take, first byte to last: a server that drips bytes slowly is
    /// cut off here.
    pub total: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            level_bytes: crate::level::MAX_LEVEL_BYTES as u64,
            asset_bytes: 64 * 1024 * 1024,
            redirects: 5,
            connect: Duration::from_secs(10),
            total: Duration::from_secs(60),
        }
    }
}

impl Limits {
    /// The same limits with `seconds` per download (the command line's `--timeout`); connecting
    /// may take no longer than that either.
    pub fn with_timeout(self, seconds: f64) -> Limits {
        let time = Duration::from_secs_f64(seconds.max(0.1));
        Limits {
            connect: self.connect.min(time),
            total: time,
            ..self
        }
    }

    /// The size limit for what `url` names: levels are `.ron` files.
    pub fn max_bytes(&self, kind: Kind) -> u64 {
        match kind {
            Kind::Level => self.level_bytes,
            Kind::Asset => self.asset_bytes,
        }
    }
}

/// A level file or something a level refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Level,
    Asset,
}

impl Kind {
    /// Levels are the `.ron` files; everything else is an asset.
    pub fn of(url: &Url) -> Kind {
        if url.path().to_ascii_lowercase().ends_with(".ron") {
            Kind::Level
        } else {
            Kind::Asset
        }
    }
}

/// Which origins a level's assets may come from: the level's own, and those it lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origins {
    /// The address of the level being opened, which may be anywhere (the visitor chose it).
    pub level_url: Option<String>,
    /// The origin of the level being opened (`https://host:port`), once known.
    pub level: Option<String>,
    /// `exhibition.allowed_origins` of the level, normalised.
    pub allowed: Vec<String>,
}

impl Origins {
    /// Only the level's own origin.
    pub fn of_level(level_url: &Url) -> Origins {
        Origins {
            level_url: Some(level_url.to_string()),
            level: Some(origin_of(level_url)),
            allowed: Vec::new(),
        }
    }

    /// Whether an asset at `url` may be downloaded for this level.
    pub fn permit(&self, url: &Url) -> Result<(), Failure> {
        if self.level_url.as_deref() == Some(url.as_str()) {
            return Ok(());
        }
        let origin = origin_of(url);
        if self.level.as_deref() == Some(origin.as_str()) || self.allowed.contains(&origin) {
            return Ok(());
        }
        Err(Failure::OtherOrigin {
            origin,
            level: self.level.clone(),
        })
    }
}

/// `scheme://host[:port]` of a URL, as browsers write origins (default ports left out).
pub fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// Parses an address the visitor or a level gave, accepting only http and https.
pub fn parse_url(text: &str) -> Result<Url, NetError> {
    let text = text.trim();
    let url = Url::parse(text).map_err(|e| NetError {
        url: text.to_string(),
        failure: Failure::BadAddress(e.to_string()),
    })?;
    check_scheme(&url)?;
    Ok(url)
}

/// Only `http` and `https`: no `file:`, `data:`, `ftp:` or anything else.
pub fn check_scheme(url: &Url) -> Result<(), NetError> {
    match url.scheme() {
        "http" | "https" if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
        "http" | "https" => Err(NetError::new(url, Failure::BadAddress("no host".into()))),
        other => Err(NetError::new(url, Failure::Scheme(other.to_string()))),
    }
}

/// Normalises an entry of `exhibition.allowed_origins` (`https://cdn.example.org`), or says why
/// it is not an origin.
pub fn normalize_origin(text: &str) -> Result<String, String> {
    let url = Url::parse(text.trim()).map_err(|e| format!("\"{text}\" is not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "\"{text}\" uses {}:; only http and https origins can be allowed",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("\"{text}\" has no host"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "\"{text}\" is not just an origin: write scheme, host and port only, like \"{}\"",
            origin_of(&url)
        ));
    }
    Ok(origin_of(&url))
}

/// The exhibition root of a level URL, as a folder URL ending in `/`: the folder above
/// `levels/` (for `…/show/levels/a.ron` it is `…/show/`), otherwise the level's own folder. The
/// same rule as on disk.
pub fn exhibition_root(level: &Url) -> Url {
    let mut root = level.clone();
    root.set_query(None);
    root.set_fragment(None);
    let folder = root.join("./").unwrap_or_else(|_| root.clone());
    if folder.path().ends_with("/levels/") {
        folder.join("../").unwrap_or(folder)
    } else {
        folder
    }
}

/// Where an asset path of a level loaded from `level` lives: relative paths against the
/// exhibition root, absolute http(s) URLs as they are.
pub fn resolve(level: &Url, asset: &str) -> Result<Url, NetError> {
    if asset.contains("://") {
        return parse_url(asset);
    }
    let root = exhibition_root(level);
    let joined = root.join(asset).map_err(|e| NetError {
        url: format!("{root}{asset}"),
        failure: Failure::BadAddress(e.to_string()),
    })?;
    // `join` resolves `..`; a path that climbs out of the exhibition root is refused (the level
    // check refuses it too, this is the last guard).
    if !joined.as_str().starts_with(root.as_str()) {
        return Err(NetError::new(
            &joined,
            Failure::BadAddress(format!("\"{asset}\" escapes the exhibition root {root}")),
        ));
    }
    Ok(joined)
}

/// Bytes as people read them: `512 bytes`, `3.4 KB`, `64 MB`.
pub fn bytes_label(n: u64) -> String {
    const K: f64 = 1000.0;
    let f = n as f64;
    if f < K {
        format!("{n} bytes")
    } else if f < K * K {
        format!("{:.1} KB", f / K)
    } else {
        format!("{:.1} MB", f / (K * K))
    }
}

fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if (s - s.round()).abs() < 0.05 {
        format!("{} s", s.round())
    } else {
        format!("{s:.1} s")
    }
}

/// What went wrong with one download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Not a URL at all, or one without a host.
    BadAddress(String),
    /// A scheme other than http and https.
    Scheme(String),
    /// An asset on an origin the level does not allow.
    OtherOrigin {
        origin: String,
        level: Option<String>,
    },
    /// A redirect to an origin the level does not allow.
    RedirectOutside {
        to: String,
    },
    TooManyRedirects(usize),
    /// No connection could be opened (refused, unreachable, name not found).
    Connect(String),
    /// No connection within the connect limit.
    ConnectTimeout(Duration),
    /// The download did not finish in time.
    Timeout {
        limit: Duration,
        received: u64,
    },
    /// The server answered with an error status.
    Status(u16, String),
    /// Larger than the limit, said by the header or found while reading.
    TooLarge {
        limit: u64,
        announced: Option<u64>,
    },
    /// The connection ended before the whole body arrived.
    Truncated {
        received: u64,
        expected: Option<u64>,
    },
    /// Anything else the HTTP stack reported.
    Other(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::BadAddress(why) => write!(f, "not a usable address ({why})"),
            Failure::Scheme(scheme) => write!(
                f,
                "only http and https addresses can be opened, not {scheme}:"
            ),
            Failure::OtherOrigin { origin, level } => match level {
                Some(level) => write!(
                    f,
                    "refused: it is on {origin}, not the exhibition's origin {level}; a level may \
                     use other origins only if it lists them in exhibition.allowed_origins"
                ),
                None => write!(
                    f,
                    "refused: {origin} is not listed in the level's exhibition.allowed_origins"
                ),
            },
            Failure::RedirectOutside { to } => write!(
                f,
                "refused: the server redirected to {to}, an origin the level does not allow"
            ),
            Failure::TooManyRedirects(n) => write!(f, "more than {n} redirects"),
            Failure::Connect(why) => write!(f, "could not connect ({why})"),
            Failure::ConnectTimeout(limit) => {
                write!(f, "no connection within {}", seconds(*limit))
            }
            Failure::Timeout { limit, received } => write!(
                f,
                "the download did not finish within {} ({} received; the server is too slow \
                 or stalled)",
                seconds(*limit),
                bytes_label(*received)
            ),
            Failure::Status(code, reason) => {
                write!(f, "the server answered {code} {reason}")
            }
            Failure::TooLarge { limit, announced } => match announced {
                Some(n) => write!(
                    f,
                    "the file is {}, over the {} limit",
                    bytes_label(*n),
                    bytes_label(*limit)
                ),
                None => write!(
                    f,
                    "the file is larger than the {} limit; the download was stopped",
                    bytes_label(*limit)
                ),
            },
            Failure::Truncated { received, expected } => match expected {
                Some(n) => write!(
                    f,
                    "the connection closed after {} of {}: the download is incomplete",
                    bytes_label(*received),
                    bytes_label(*n)
                ),
                None => write!(
                    f,
                    "the connection broke off after {}: the download is incomplete",
                    bytes_label(*received)
                ),
            },
            Failure::Other(why) => f.write_str(why),
        }
    }
}

/// A failed download: the URL and what went wrong. Displays as `URL: what`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetError {
    pub url: String,
    pub failure: Failure,
}

impl NetError {
    pub fn new(url: &Url, failure: Failure) -> NetError {
        NetError {
            url: url.to_string(),
            failure,
        }
    }

    /// Whether a saved copy may stand in: the server could not be reached or did not answer
    /// in time, or answered with a server error (5xx). A 404 means the file is gone.
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self.failure,
            Failure::Connect(_)
                | Failure::ConnectTimeout(_)
                | Failure::Timeout { .. }
                | Failure::Truncated { .. }
        ) || matches!(self.failure, Failure::Status(code, _) if code >= 500)
    }
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.url, self.failure)
    }
}

impl std::error::Error for NetError {}

/// Reads a body chunk by chunk within the size limit; what the client feeds it as bytes arrive.
#[derive(Debug, Clone)]
pub struct Body {
    pub bytes: Vec<u8>,
    limit: u64,
    expected: Option<u64>,
}

impl Body {
    /// Starts a body; refuses at once when the announced length is over the limit.
    pub fn start(limit: u64, announced: Option<u64>) -> Result<Body, Failure> {
        if let Some(n) = announced
            && n > limit
        {
            return Err(Failure::TooLarge {
                limit,
                announced: Some(n),
            });
        }
        Ok(Body {
            bytes: Vec::with_capacity(announced.unwrap_or(0).min(limit).min(16 << 20) as usize),
            limit,
            expected: announced,
        })
    }

    pub fn push(&mut self, chunk: &[u8]) -> Result<(), Failure> {
        if self.bytes.len() as u64 + chunk.len() as u64 > self.limit {
            return Err(Failure::TooLarge {
                limit: self.limit,
                announced: None,
            });
        }
        self.bytes.extend_from_slice(chunk);
        Ok(())
    }

    pub fn received(&self) -> u64 {
        self.bytes.len() as u64
    }

    pub fn expected(&self) -> Option<u64> {
        self.expected
    }

    /// The whole body, or [`Failure::Truncated`] when fewer bytes came than announced.
    pub fn finish(self) -> Result<Vec<u8>, Failure> {
        match self.expected {
            Some(n) if (self.bytes.len() as u64) < n => Err(Failure::Truncated {
                received: self.bytes.len() as u64,
                expected: Some(n),
            }),
            _ => Ok(self.bytes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn only_http_and_https_are_opened() {
        assert!(parse_url("https://example.org/show/levels/a.ron").is_ok());
        assert!(parse_url("http://127.0.0.1:8080/a.ron").is_ok());
        for bad in [
            "file:///etc/passwd",
            "ftp://example.org/a.ron",
            "data:text/plain,hi",
        ] {
            let e = parse_url(bad).unwrap_err();
            assert!(matches!(e.failure, Failure::Scheme(_)), "{bad}: {e}");
            assert!(e.to_string().contains("only http and https"), "{e}");
        }
        let e = parse_url("not a url").unwrap_err();
        assert!(
            e.to_string().starts_with("not a url: not a usable address"),
            "{e}"
        );
    }

    #[test]
    fn the_root_is_above_levels_as_on_disk() {
        let level = url("https://example.org/show/levels/a.ron?v=2");
        assert_eq!(
            exhibition_root(&level).as_str(),
            "https://example.org/show/"
        );
        let flat = url("https://example.org/show/a.ron");
        assert_eq!(exhibition_root(&flat).as_str(), "https://example.org/show/");
        assert_eq!(
            resolve(&level, "works/my picture.png").unwrap().as_str(),
            "https://example.org/show/works/my%20picture.png"
        );
        assert_eq!(
            resolve(&level, "https://cdn.example.net/x.png")
                .unwrap()
                .as_str(),
            "https://cdn.example.net/x.png"
        );
        assert!(resolve(&level, "../../etc/x.png").is_err());
        assert!(resolve(&level, "file:///etc/passwd").is_err());
    }

    #[test]
    fn assets_stay_on_the_levels_origin_unless_allowed() {
        let level = url("http://127.0.0.1:8080/levels/a.ron");
        assert!(Origins::default().permit(&level).is_err());
        let mut origins = Origins::of_level(&level);
        assert!(origins.permit(&level).is_ok());
        assert!(
            origins
                .permit(&url("http://127.0.0.1:8080/works/a.png"))
                .is_ok()
        );
        // Another port is another origin.
        let e = origins
            .permit(&url("http://127.0.0.1:9090/works/a.png"))
            .unwrap_err();
        assert!(e.to_string().contains("allowed_origins"), "{e}");
        origins.allowed = vec![normalize_origin("http://127.0.0.1:9090").unwrap()];
        assert!(
            origins
                .permit(&url("http://127.0.0.1:9090/works/a.png"))
                .is_ok()
        );
    }

    #[test]
    fn allowed_origins_must_be_origins() {
        assert_eq!(
            normalize_origin("https://CDN.example.org:443").unwrap(),
            "https://cdn.example.org"
        );
        assert!(normalize_origin("https://cdn.example.org/").is_ok());
        assert!(
            normalize_origin("https://cdn.example.org/works")
                .unwrap_err()
                .contains("just an origin")
        );
        assert!(
            normalize_origin("file:///tmp")
                .unwrap_err()
                .contains("http")
        );
        assert!(normalize_origin("cdn.example.org").is_err());
    }

    #[test]
    fn bodies_stop_at_the_limit_and_notice_truncation() {
        assert!(matches!(
            Body::start(10, Some(11)),
            Err(Failure::TooLarge {
                announced: Some(11),
                ..
            })
        ));
        let mut body = Body::start(10, None).unwrap();
        body.push(b"12345").unwrap();
        assert!(body.push(b"123456").is_err());
        let mut short = Body::start(10, Some(8)).unwrap();
        short.push(b"1234").unwrap();
        let e = short.finish().unwrap_err();
        assert_eq!(
            e,
            Failure::Truncated {
                received: 4,
                expected: Some(8)
            }
        );
        assert!(e.to_string().contains("4 bytes of 8 bytes"), "{e}");
    }

    #[test]
    fn messages_name_the_url_and_the_problem() {
        let e = NetError::new(
            &url("http://127.0.0.1:1/levels/a.ron"),
            Failure::Timeout {
                limit: Duration::from_secs(2),
                received: 12,
            },
        );
        let text = e.to_string();
        assert!(
            text.starts_with("http://127.0.0.1:1/levels/a.ron: "),
            "{text}"
        );
        assert!(text.contains("within 2 s"), "{text}");
        assert!(e.is_unreachable());
        let gone = NetError::new(&url("http://h/a"), Failure::Status(404, "Not Found".into()));
        assert!(!gone.is_unreachable());
        assert_eq!(
            gone.to_string(),
            "http://h/a: the server answered 404 Not Found"
        );
        assert!(
            NetError::new(&url("http://h/a"), Failure::Status(503, "".into())).is_unreachable()
        );
    }

    #[test]
    fn a_timeout_flag_sets_every_time_limit() {
        let limits = Limits::default().with_timeout(2.0);
        assert_eq!(limits.total, Duration::from_secs(2));
        assert!(limits.connect <= Duration::from_secs(2));
        assert_eq!(Kind::of(&url("http://h/levels/a.RON")), Kind::Level);
        assert_eq!(Kind::of(&url("http://h/works/a.png")), Kind::Asset);
    }
}
