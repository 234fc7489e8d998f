//! A small HTTP/1.1 server on 127.0.0.1 for the network tests, written with `std::net` so each
//! failure can be staged exactly: error statuses, slow drips, bodies cut short, redirects.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the server answers one path.
#[derive(Clone)]
pub enum Reply {
    /// 200 with these bytes (ETag: a hash of them; 304 when the client already has them).
    Ok(Vec<u8>),
    Status(u16),
    /// 200 with a Content-Length, then the body one byte every `gap`.
    Drip(Vec<u8>, Duration),
    /// Headers, then nothing at all, forever (until the client gives up).
    Silent,
    /// Announces `announced` bytes, sends `bytes`, then closes the connection.
    Cut {
        bytes: Vec<u8>,
        announced: usize,
    },
    /// 302 to this location.
    Redirect(String),
    /// A body larger than any level, sent without a Content-Length (chunked).
    Endless,
}

type Routes = Arc<Mutex<Vec<(String, Reply)>>>;

pub struct Server {
    pub port: u16,
    routes: Routes,
    stop: Arc<AtomicBool>,
    /// Requests served, to see that a second visit asked again (and got 304) or did not.
    pub hits: Arc<AtomicUsize>,
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let routes: Routes = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let hits = Arc::new(AtomicUsize::new(0));
        let (r, s, h) = (routes.clone(), stop.clone(), hits.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (r, s, h) = (r.clone(), s.clone(), h.clone());
                        std::thread::spawn(move || serve(stream, &r, &s, &h));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server {
            port,
            routes,
            stop,
            hits,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn route(&self, path: &str, reply: Reply) {
        let mut routes = self.routes.lock().unwrap();
        routes.retain(|(p, _)| p != path);
        routes.push((path.to_string(), reply));
    }

    /// Stops accepting connections (the port is closed: connections are refused).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
        // The accept loop polls every 5 ms; give it time to drop the listener.
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn etag_of(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h = (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
    }
    format!("\"{h:016x}\"")
}

fn serve(stream: TcpStream, routes: &Routes, stop: &AtomicBool, hits: &AtomicUsize) {
    stream.set_nonblocking(false).ok();
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let path = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("/")
            .to_string();
        let mut if_none_match = None;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("if-none-match")
            {
                if_none_match = Some(value.trim().to_string());
            }
        }
        hits.fetch_add(1, Ordering::Relaxed);
        let reply = routes
            .lock()
            .unwrap()
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, r)| r.clone())
            .unwrap_or(Reply::Status(404));
        let keep_open = match reply {
            Reply::Ok(bytes) => {
                let etag = etag_of(&bytes);
                if if_none_match.as_deref() == Some(etag.as_str()) {
                    let _ = write!(
                        stream,
                        "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nContent-Length: 0\r\n\r\n"
                    );
                } else {
                    let _ = write!(
                        stream,
                        "HTTP/1.1 200 OK\r\nETag: {etag}\r\nContent-Length: {}\r\n\r\n",
                        bytes.len()
                    );
                    let _ = stream.write_all(&bytes);
                }
                true
            }
            Reply::Status(code) => {
                let body = format!("<html><body>error {code}</body></html>");
                let _ = write!(
                    stream,
                    "HTTP/1.1 {code} Whatever\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                true
            }
            Reply::Drip(bytes, gap) => {
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
                    bytes.len()
                );
                for b in bytes {
                    if stop.load(Ordering::Relaxed) || stream.write_all(&[b]).is_err() {
                        return;
                    }
                    let _ = stream.flush();
                    std::thread::sleep(gap);
                }
                true
            }
            Reply::Silent => {
                while !stop.load(Ordering::Relaxed) {
                    let mut buf = [0u8; 64];
                    // Returns when the client hangs up (or after the read timeout).
                    if matches!(reader.get_mut().read(&mut buf), Ok(0)) {
                        return;
                    }
                }
                return;
            }
            Reply::Cut { bytes, announced } => {
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Length: {announced}\r\n\r\n"
                );
                let _ = stream.write_all(&bytes);
                let _ = stream.flush();
                let _ = stream.shutdown(std::net::Shutdown::Both);
                return;
            }
            Reply::Redirect(location) => {
                let _ = write!(
                    stream,
                    "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n"
                );
                true
            }
            Reply::Endless => {
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                );
                let chunk = vec![b' '; 64 * 1024];
                for _ in 0..4096 {
                    if stop.load(Ordering::Relaxed)
                        || write!(stream, "{:x}\r\n", chunk.len()).is_err()
                        || stream.write_all(&chunk).is_err()
                        || stream.write_all(b"\r\n").is_err()
                    {
                        return;
                    }
                }
                let _ = stream.write_all(b"0\r\n\r\n");
                true
            }
        };
        if !keep_open {
            return;
        }
    }
}
