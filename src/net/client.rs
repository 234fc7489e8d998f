//! Downloads with reqwest under the exhibition's rules: on the desktop on a small Tokio runtime
//! beside Bevy, through the cache; in the browser through fetch.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use url::Url;

use super::policy::{Kind, Limits, NetError, Origins};

/// Bytes and files downloaded since the counters were last reset: the loading bar's figures.
#[derive(Debug, Default)]
pub struct Progress {
    pub received: AtomicU64,
    pub expected: AtomicU64,
    /// Bytes of the files already finished.
    pub finished_bytes: AtomicU64,
    pub files_started: AtomicU32,
    pub files_done: AtomicU32,
    /// Files the level named, once it is read (the level itself included).
    pub files_expected: AtomicU32,
}

/// The counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProgressSnapshot {
    pub received: u64,
    pub expected: u64,
    pub finished_bytes: u64,
    pub files_started: u32,
    pub files_done: u32,
    pub files_expected: u32,
}

impl ProgressSnapshot {
    /// 0..=1: finished files, plus the share of the file in flight that has arrived, out of
    /// all the files the level names (or those started, until it is read).
    pub fn fraction(&self) -> f32 {
        let files = self.files_expected.max(self.files_started).max(1) as f32;
        let in_flight_expected = self.expected.saturating_sub(self.finished_bytes);
        let in_flight = if in_flight_expected == 0 {
            0.0
        } else {
            self.received.saturating_sub(self.finished_bytes) as f32 / in_flight_expected as f32
        };
        ((self.files_done as f32 + in_flight.clamp(0.0, 1.0)) / files).clamp(0.0, 1.0)
    }
}

impl Progress {
    pub fn reset(&self) {
        for counter in [&self.received, &self.expected, &self.finished_bytes] {
            counter.store(0, Ordering::Relaxed);
        }
        for counter in [&self.files_started, &self.files_done, &self.files_expected] {
            counter.store(0, Ordering::Relaxed);
        }
    }

    pub fn snapshot(&self) -> ProgressSnapshot {
        ProgressSnapshot {
            received: self.received.load(Ordering::Relaxed),
            expected: self.expected.load(Ordering::Relaxed),
            finished_bytes: self.finished_bytes.load(Ordering::Relaxed),
            files_started: self.files_started.load(Ordering::Relaxed),
            files_done: self.files_done.load(Ordering::Relaxed),
            files_expected: self.files_expected.load(Ordering::Relaxed),
        }
    }

    /// The level is read and names `files` more files to download.
    pub fn expect_files(&self, files: u32) {
        let done = self.files_done.load(Ordering::Relaxed);
        self.files_expected.store(done + files, Ordering::Relaxed);
    }

    fn started(&self, announced: Option<u64>) {
        self.files_started.fetch_add(1, Ordering::Relaxed);
        if let Some(n) = announced {
            self.expected.fetch_add(n, Ordering::Relaxed);
        }
    }

    fn finished(&self, announced: Option<u64>, received: u64) {
        if announced.is_none() {
            self.expected.fetch_add(received, Ordering::Relaxed);
        }
        self.finished_bytes.fetch_add(
            announced.unwrap_or(received).max(received),
            Ordering::Relaxed,
        );
        self.files_done.fetch_add(1, Ordering::Relaxed);
    }

    /// A file served from the cache counts as downloaded at once.
    #[cfg(not(target_arch = "wasm32"))]
    fn served_from_cache(&self, len: u64) {
        self.started(Some(len));
        self.received.fetch_add(len, Ordering::Relaxed);
        self.finished(Some(len), len);
    }
}

/// Everything downloads share: limits, the origins the current level allows, the cache, the
/// progress counters and the notes for the visitor (offline copies in use).
pub struct Net {
    pub limits: Limits,
    pub origins: RwLock<Origins>,
    pub progress: Progress,
    notes: Mutex<Vec<String>>,
    #[cfg(not(target_arch = "wasm32"))]
    desktop: desktop::State,
}

impl std::fmt::Debug for Net {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Net").field("limits", &self.limits).finish()
    }
}

impl Net {
    /// A client with these limits, caching under `<data_root>/cache/http/` when a data
    /// directory is given (desktop).
    pub fn new(limits: Limits, data_root: Option<&std::path::Path>) -> Arc<Net> {
        #[cfg(target_arch = "wasm32")]
        let _ = data_root;
        Arc::new(Net {
            limits,
            origins: RwLock::new(Origins::default()),
            progress: Progress::default(),
            notes: Mutex::new(Vec::new()),
            #[cfg(not(target_arch = "wasm32"))]
            desktop: desktop::State::new(limits, data_root),
        })
    }

    /// Starts a new level: only its own origin, until its `allowed_origins` are known.
    pub fn begin_level(&self, level: &Url) {
        *self.origins.write().unwrap_or_else(|e| e.into_inner()) = Origins::of_level(level);
        self.progress.reset();
        #[cfg(not(target_arch = "wasm32"))]
        self.desktop.forget_run();
    }

    /// Starts a level from disk: its assets may come from the origins it lists, nothing else.
    pub fn begin_local(&self) {
        *self.origins.write().unwrap_or_else(|e| e.into_inner()) = Origins::default();
        self.progress.reset();
    }

    /// Adds the level's `exhibition.allowed_origins` (already normalised by validation).
    pub fn allow_origins(&self, origins: &[String]) {
        let mut current = self.origins.write().unwrap_or_else(|e| e.into_inner());
        for origin in origins {
            if let Ok(o) = super::policy::normalize_origin(origin)
                && !current.allowed.contains(&o)
            {
                current.allowed.push(o);
            }
        }
    }

    /// Notes for the visitor since the last call (e.g. "offline: using the copy saved …").
    pub fn take_notes(&self) -> Vec<String> {
        std::mem::take(&mut *self.notes.lock().unwrap_or_else(|e| e.into_inner()))
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn note(&self, text: String) {
        self.notes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(text);
    }

    /// Downloads `url`: the level being opened, or a file on its origin or one it allows,
    /// within the limits (a `.ron` file has the level's size limit). On the desktop a saved copy answers
    /// when the server cannot be reached, with a note saying so.
    pub async fn fetch(self: &Arc<Self>, url: &Url) -> Result<Vec<u8>, NetError> {
        super::policy::check_scheme(url)?;
        let kind = Kind::of(url);
        {
            let origins = self.origins.read().unwrap_or_else(|e| e.into_inner());
            origins.permit(url).map_err(|f| NetError::new(url, f))?;
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            desktop::fetch(self.clone(), url.clone(), kind).await
        }
        #[cfg(target_arch = "wasm32")]
        {
            browser::fetch(self, url, kind).await
        }
    }

    /// [`Net::fetch`] from code that is not async (the command line).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn fetch_blocking(self: &Arc<Self>, url: &Url) -> Result<Vec<u8>, NetError> {
        desktop::runtime().block_on(self.fetch(url))
    }
}

/// Where redirects led: an asset must still be on an origin the level allows.
fn check_redirect(net: &Net, url: &Url, landed: &Url, kind: Kind) -> Result<(), NetError> {
    if kind == Kind::Level || landed == url {
        return Ok(());
    }
    let origins = net
        .origins
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    origins.permit(landed).map_err(|_| {
        NetError::new(
            url,
            super::policy::Failure::RedirectOutside {
                to: super::policy::origin_of(landed),
            },
        )
    })
}

/// An answer other than 2xx (or 304 where a copy was offered).
fn status_failure(code: u16, reason: Option<&str>) -> super::policy::Failure {
    super::policy::Failure::Status(code, reason.unwrap_or("").to_string())
}

/// The deepest cause of an error chain, which says what really happened ("Connection refused").
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// A [`NetError`] carried inside reqwest's error chain (from the redirect policy).
#[cfg(not(target_arch = "wasm32"))]
fn carried(error: &(dyn std::error::Error + 'static)) -> Option<NetError> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(net) = e.downcast_ref::<NetError>() {
            return Some(net.clone());
        }
        current = e.source();
    }
    None
}

#[cfg(not(target_arch = "wasm32"))]
mod desktop {
    use std::collections::HashSet;
    use std::sync::{Arc, Mutex, OnceLock};

    use url::Url;

    use super::super::cache::{HttpCache, now_unix, utc_label};
    use super::super::policy::{Body, Failure, Kind, Limits, NetError};
    use super::{Net, carried, root_cause};

    /// The Tokio runtime reqwest runs on: one worker thread beside Bevy's pools.
    pub fn runtime() -> &'static tokio::runtime::Runtime {
        static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
        RUNTIME.get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("vernissage-net")
                .enable_all()
                .build()
                .expect("the network runtime (one thread) could not start")
        })
    }

    /// The two HTTP clients: `direct` for loopback addresses (never through a proxy), `proxied`
    /// for everything else (the environment's proxy settings apply).
    struct Clients {
        direct: reqwest::Client,
        proxied: reqwest::Client,
    }

    pub struct State {
        limits: Limits,
        /// Made at the first download, so commands that download nothing never pay for TLS.
        clients: OnceLock<Result<Clients, String>>,
        cache: Option<HttpCache>,
        /// URLs confirmed with the server during this run: their saved copy is used as it is.
        confirmed: Mutex<HashSet<String>>,
        /// Origins found unreachable during this run: their other files come from the cache
        /// at once, without waiting on the network again.
        offline: Mutex<HashSet<String>>,
    }

    impl State {
        pub fn new(limits: Limits, data_root: Option<&std::path::Path>) -> State {
            State {
                limits,
                clients: OnceLock::new(),
                cache: data_root.map(HttpCache::in_data_dir),
                confirmed: Mutex::new(HashSet::new()),
                offline: Mutex::new(HashSet::new()),
            }
        }

        fn client(&self, url: &Url) -> Result<&reqwest::Client, String> {
            let clients = self.clients.get_or_init(|| {
                // rustls needs one process-wide crypto provider; a second install is harmless.
                let _ = rustls::crypto::ring::default_provider().install_default();
                let build = |direct: bool| {
                    let mut builder = reqwest::Client::builder()
                        .connect_timeout(self.limits.connect)
                        .redirect(redirect_policy(self.limits.redirects))
                        .user_agent(concat!("vernissage/", env!("CARGO_PKG_VERSION")));
                    if direct {
                        builder = builder.no_proxy();
                    }
                    builder.build().map_err(|e| root_cause(&e))
                };
                Ok(Clients {
                    direct: build(true)?,
                    proxied: build(false)?,
                })
            });
            match clients {
                Ok(c) if is_loopback(url) => Ok(&c.direct),
                Ok(c) => Ok(&c.proxied),
                Err(e) => Err(e.clone()),
            }
        }

        /// A new level opens: everything is asked of the server again.
        pub fn forget_run(&self) {
            for set in [&self.confirmed, &self.offline] {
                set.lock().unwrap_or_else(|e| e.into_inner()).clear();
            }
        }
    }

    /// Follows at most `max` redirects, only to http(s), and for assets only to origins the
    /// level allows (checked again by [`Net::fetch`]'s caller through the final URL).
    fn redirect_policy(max: usize) -> reqwest::redirect::Policy {
        reqwest::redirect::Policy::custom(move |attempt| {
            let to = attempt.url().clone();
            if attempt.previous().len() > max {
                let first = attempt.previous()[0].clone();
                return attempt.error(NetError::new(&first, Failure::TooManyRedirects(max)));
            }
            if !matches!(to.scheme(), "http" | "https") {
                let first = attempt.previous()[0].clone();
                return attempt.error(NetError::new(
                    &first,
                    Failure::Scheme(format!("{} (redirected to {to})", to.scheme())),
                ));
            }
            attempt.follow()
        })
    }

    fn is_loopback(url: &Url) -> bool {
        match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            None => false,
        }
    }

    pub async fn fetch(net: Arc<Net>, url: Url, kind: Kind) -> Result<Vec<u8>, NetError> {
        let key = url.as_str().to_string();
        let origin = super::super::policy::origin_of(&url);
        let cached = net.desktop.cache.as_ref().and_then(|c| c.get(&key));
        let known = |set: &Mutex<HashSet<String>>, item: &str| {
            set.lock().unwrap_or_else(|e| e.into_inner()).contains(item)
        };
        if let Some(entry) = &cached
            && (known(&net.desktop.confirmed, &key) || known(&net.desktop.offline, &origin))
        {
            net.progress.served_from_cache(entry.meta.len);
            return Ok(entry.bytes.clone());
        }
        let validators = cached
            .as_ref()
            .map(|e| (e.meta.etag.clone(), e.meta.last_modified.clone()));
        let task = runtime().spawn(download(net.clone(), url.clone(), kind, validators));
        let outcome = match task.await {
            Ok(outcome) => outcome,
            Err(e) => Err(NetError::new(
                &url,
                Failure::Other(format!("the download stopped: {e}")),
            )),
        };
        let cache = net.desktop.cache.as_ref();
        match outcome {
            Ok(Downloaded::NotModified) => {
                let Some(entry) = cached else {
                    return Err(NetError::new(
                        &url,
                        Failure::Other("the server answered 304 for a file never saved".into()),
                    ));
                };
                if let Some(cache) = cache {
                    let _ = cache.touch(&entry, now_unix());
                }
                net.progress.served_from_cache(entry.meta.len);
                confirm(&net, key);
                Ok(entry.bytes)
            }
            Ok(Downloaded::Body {
                bytes,
                etag,
                last_modified,
            }) => {
                if let Some(cache) = cache
                    && let Err(e) = cache.put(&key, &bytes, etag, last_modified, now_unix())
                {
                    net.note(format!(
                        "{url}: downloaded, but it could not be saved for offline visits ({e})"
                    ));
                }
                confirm(&net, key);
                Ok(bytes)
            }
            Err(error) if error.is_unreachable() => match cached {
                Some(entry) => {
                    // One note per site, not one per file.
                    let first = net
                        .desktop
                        .offline
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(origin.clone());
                    if first {
                        net.note(format!(
                            "Offline: {origin}: {}. Showing the copies saved on this computer \
                             ({} saved {}).",
                            error.failure,
                            url.path().rsplit('/').next().unwrap_or(""),
                            utc_label(entry.meta.saved)
                        ));
                    }
                    net.progress.served_from_cache(entry.meta.len);
                    confirm(&net, key);
                    Ok(entry.bytes)
                }
                None => Err(error),
            },
            Err(error) => Err(error),
        }
    }

    fn confirm(net: &Net, key: String) {
        net.desktop
            .confirmed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key);
    }

    pub enum Downloaded {
        NotModified,
        Body {
            bytes: Vec<u8>,
            etag: Option<String>,
            last_modified: Option<String>,
        },
    }

    fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<String> {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    async fn download(
        net: Arc<Net>,
        url: Url,
        kind: Kind,
        validators: Option<(Option<String>, Option<String>)>,
    ) -> Result<Downloaded, NetError> {
        let limits = net.limits;
        let client = net
            .desktop
            .client(&url)
            .map_err(|why| NetError::new(&url, Failure::Other(format!("no HTTP client: {why}"))))?;
        let mut request = client.get(url.clone()).timeout(limits.total);
        if let Some((etag, last_modified)) = validators {
            if let Some(etag) = etag {
                request = request.header(reqwest::header::IF_NONE_MATCH, etag);
            }
            if let Some(date) = last_modified {
                request = request.header(reqwest::header::IF_MODIFIED_SINCE, date);
            }
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| NetError::new(&url, classify(&e, &limits, 0, None)))?;
        super::check_redirect(&net, &url, response.url(), kind)?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Downloaded::NotModified);
        }
        if !status.is_success() {
            return Err(NetError::new(
                &url,
                super::status_failure(status.as_u16(), status.canonical_reason()),
            ));
        }
        let etag = header(&response, reqwest::header::ETAG);
        let last_modified = header(&response, reqwest::header::LAST_MODIFIED);
        let announced = response.content_length();
        let mut body =
            Body::start(limits.max_bytes(kind), announced).map_err(|f| NetError::new(&url, f))?;
        net.progress.started(announced);
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    body.push(&chunk).map_err(|f| NetError::new(&url, f))?;
                    net.progress
                        .received
                        .fetch_add(chunk.len() as u64, std::sync::atomic::Ordering::Relaxed);
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(NetError::new(
                        &url,
                        classify(&e, &limits, body.received(), body.expected()),
                    ));
                }
            }
        }
        let received = body.received();
        let bytes = body.finish().map_err(|f| NetError::new(&url, f))?;
        net.progress.finished(announced, received);
        Ok(Downloaded::Body {
            bytes,
            etag,
            last_modified,
        })
    }

    /// What a reqwest error means for the visitor.
    fn classify(
        error: &reqwest::Error,
        limits: &Limits,
        received: u64,
        expected: Option<u64>,
    ) -> Failure {
        if let Some(net) = carried(error) {
            return net.failure;
        }
        if error.is_timeout() {
            if error.is_connect() {
                return Failure::ConnectTimeout(limits.connect);
            }
            return Failure::Timeout {
                limit: limits.total,
                received,
            };
        }
        if error.is_connect() {
            return Failure::Connect(root_cause(error));
        }
        if error.is_redirect() {
            return Failure::TooManyRedirects(limits.redirects);
        }
        if error.is_body() || error.is_decode() || received > 0 {
            return Failure::Truncated { received, expected };
        }
        let cause = root_cause(error);
        if cause.contains("closed") || cause.contains("incomplete") || cause.contains("reset") {
            return Failure::Truncated { received, expected };
        }
        Failure::Other(cause)
    }
}

#[cfg(target_arch = "wasm32")]
mod browser {
    use std::sync::Arc;

    use url::Url;

    use super::super::policy::{Body, Failure, Kind, NetError};
    use super::{Net, root_cause};

    /// The browser's fetch: it follows redirects and caches by itself (HTTP caching rules).
    pub async fn fetch(net: &Arc<Net>, url: &Url, kind: Kind) -> Result<Vec<u8>, NetError> {
        let limits = net.limits;
        let timed_out = || Failure::Timeout {
            limit: limits.total,
            received: 0,
        };
        let client = reqwest::Client::new();
        let response = client
            .get(url.clone())
            .timeout(limits.total)
            .send()
            .await
            .map_err(|e| {
                NetError::new(
                    url,
                    if e.is_timeout() {
                        timed_out()
                    } else {
                        Failure::Connect(format!(
                            "the browser could not fetch it: the server is unreachable or does \
                             not allow this page's origin (CORS); {}",
                            root_cause(&e)
                        ))
                    },
                )
            })?;
        super::check_redirect(net, url, response.url(), kind)?;
        let status = response.status();
        if !status.is_success() {
            return Err(NetError::new(
                url,
                super::status_failure(status.as_u16(), status.canonical_reason()),
            ));
        }
        let announced = response.content_length();
        let mut body =
            Body::start(limits.max_bytes(kind), announced).map_err(|f| NetError::new(url, f))?;
        net.progress.started(announced);
        let bytes = response.bytes().await.map_err(|e| {
            NetError::new(
                url,
                if e.is_timeout() {
                    timed_out()
                } else {
                    Failure::Truncated {
                        received: 0,
                        expected: announced,
                    }
                },
            )
        })?;
        body.push(&bytes).map_err(|f| NetError::new(url, f))?;
        net.progress
            .received
            .fetch_add(bytes.len() as u64, std::sync::atomic::Ordering::Relaxed);
        let received = body.received();
        // The browser may have decompressed the body: its length is not the header's.
        let bytes = body.bytes;
        net.progress.finished(announced, received);
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_counts_files_and_the_bytes_of_the_one_in_flight() {
        let progress = Progress::default();
        progress.started(Some(100));
        progress.received.fetch_add(100, Ordering::Relaxed);
        progress.finished(Some(100), 100);
        // The level is read: four files to come.
        progress.expect_files(4);
        assert_eq!(progress.snapshot().files_expected, 5);
        assert!((progress.snapshot().fraction() - 0.2).abs() < 1e-6);
        // Half of the next file has arrived.
        progress.started(Some(1000));
        progress.received.fetch_add(500, Ordering::Relaxed);
        assert!((progress.snapshot().fraction() - 0.3).abs() < 1e-6);
        progress.received.fetch_add(500, Ordering::Relaxed);
        progress.finished(Some(1000), 1000);
        assert!((progress.snapshot().fraction() - 0.4).abs() < 1e-6);
        for _ in 0..3 {
            progress.started(None);
            progress.received.fetch_add(10, Ordering::Relaxed);
            progress.finished(None, 10);
        }
        assert_eq!(progress.snapshot().fraction(), 1.0);
        progress.reset();
        assert_eq!(progress.snapshot(), ProgressSnapshot::default());
        assert_eq!(progress.snapshot().fraction(), 0.0);
    }
}
