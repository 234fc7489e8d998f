//! Exhibitions opened by URL: a good one loads with all its works (command line and game), a
//! second visit works with the server gone, and every way a download can fail ends in a
//! message that names the URL, within the timeout, without a panic.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use bevy::prelude::*;
use vernissage::HeadlessPlugin;
use vernissage::gallery::LevelProblems;
use vernissage::gallery::build::Artwork;
use vernissage::launch::{Launch, LevelLocation};
use vernissage::screens::Screen;

use super::http::{Reply, Server};
use super::support::{run_until_settled, vernissage};

const LEVEL: &str = "/show/levels/small.ron";
const TIMEOUT: &str = "2";

fn level_bytes() -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/levels/small.ron")).unwrap()
}

/// Serves levels/small.ron at /show/levels/small.ron and every file it names under /show/.
fn serve_small(server: &Server) -> Vec<String> {
    let bytes = level_bytes();
    server.route(LEVEL, Reply::Ok(bytes.clone()));
    let level = vernissage::level::parse(&bytes).unwrap();
    let mut assets = Vec::new();
    for (path, _) in vernissage::level::check::referenced_assets(&level) {
        let file = std::fs::read(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        server.route(&format!("/show/{path}"), Reply::Ok(file));
        assets.push(path);
    }
    assets
}

fn data_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vernissage-net-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn validate(url: &str, data: &std::path::Path) -> (i32, String, String, Duration) {
    let started = Instant::now();
    let (code, out, err) = vernissage(&[
        "--data-dir",
        data.to_str().unwrap(),
        "--timeout",
        TIMEOUT,
        "validate",
        url,
    ]);
    (code, out, err, started.elapsed())
}

fn headless(url: &str, data: &std::path::Path) -> App {
    let mut app = App::new();
    app.add_plugins(HeadlessPlugin {
        launch: Launch {
            level: LevelLocation::parse(url),
            data_dir: Some(data.to_path_buf()),
            watch: false,
            screenshot: None,
            measure: None,
            baseline: false,
            script: None,
            timeout: Some(2.0),
        },
    });
    app
}

fn works_in(app: &mut App) -> usize {
    app.world_mut()
        .query::<&Artwork>()
        .iter(app.world())
        .count()
}

#[test]
fn an_exhibition_by_url_loads_with_all_its_works_and_again_offline() {
    let server = Server::start();
    serve_small(&server);
    let url = server.url(LEVEL);
    let data = data_dir("good");
    let expected = vernissage::level::parse(&level_bytes())
        .unwrap()
        .works
        .len();

    let (code, out, err, _) = validate(&url, &data);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!("{url}: ok (1 rooms, {expected} works)")),
        "{out}"
    );

    let mut app = headless(&url, &data);
    assert_eq!(run_until_settled(&mut app), Screen::Gallery);
    assert_eq!(works_in(&mut app), expected);
    drop(app);

    // A second visit asks the server again (ETag) and is answered 304.
    let before = server.hits.load(std::sync::atomic::Ordering::Relaxed);
    let (code, out, _, _) = validate(&url, &data);
    assert_eq!(code, 0, "{out}");
    assert!(server.hits.load(std::sync::atomic::Ordering::Relaxed) > before);
    assert!(!out.contains("Offline"), "{out}");

    // With the server gone, the saved copies open the exhibition, and it says so.
    server.stop();
    let (code, out, err, _) = validate(&url, &data);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("note: Offline: http://127.0.0.1:"), "{out}");
    assert!(
        out.contains("Showing the copies saved on this computer"),
        "{out}"
    );
    let mut app = headless(&url, &data);
    assert_eq!(run_until_settled(&mut app), Screen::Gallery);
    assert_eq!(works_in(&mut app), expected);
    let notes = app.world().resource::<vernissage::net::NetNotes>();
    assert!(
        notes.lines.iter().any(|l| l.starts_with("Offline: ")),
        "{:?}",
        notes.lines
    );
    let _ = std::fs::remove_dir_all(&data);
}

/// One staged failure: what the server does, and what the message must say.
struct Case {
    name: &'static str,
    stage: fn(&Server, &Server, &[String]),
    /// The URL the message must name (a path on the first server).
    names: &'static str,
    says: &'static str,
}

fn first_image(assets: &[String]) -> String {
    format!(
        "/show/{}",
        assets.iter().find(|a| a.ends_with(".jpg")).unwrap()
    )
}

const CASES: &[Case] = &[
    Case {
        name: "level not found",
        stage: |s, _, _| s.route(LEVEL, Reply::Status(404)),
        names: LEVEL,
        says: "the server answered 404",
    },
    Case {
        name: "server error",
        stage: |s, _, _| s.route(LEVEL, Reply::Status(500)),
        names: LEVEL,
        says: "the server answered 500",
    },
    Case {
        name: "slow drip",
        stage: |s, _, _| {
            s.route(LEVEL, Reply::Drip(level_bytes(), Duration::from_millis(40)));
        },
        names: LEVEL,
        says: "did not finish within 2 s",
    },
    Case {
        name: "no answer at all",
        stage: |s, _, _| s.route(LEVEL, Reply::Silent),
        names: LEVEL,
        says: "did not finish within 2 s",
    },
    Case {
        name: "closed mid-body",
        stage: |s, _, _| {
            let bytes = level_bytes();
            let announced = bytes.len();
            s.route(
                LEVEL,
                Reply::Cut {
                    bytes: bytes[..announced / 3].to_vec(),
                    announced,
                },
            );
        },
        names: LEVEL,
        says: "the download is incomplete",
    },
    Case {
        name: "level too large",
        stage: |s, _, _| s.route(LEVEL, Reply::Endless),
        names: LEVEL,
        says: "larger than the 4.2 MB limit",
    },
    Case {
        name: "redirect loop",
        stage: |s, _, _| {
            s.route(LEVEL, Reply::Redirect("/show/levels/other.ron".into()));
            s.route(
                "/show/levels/other.ron",
                Reply::Redirect("/show/levels/small.ron".into()),
            );
        },
        names: LEVEL,
        says: "more than 5 redirects",
    },
    Case {
        name: "an HTML page served as an image",
        stage: |s, _, assets| {
            s.route(
                &first_image(assets),
                Reply::Ok(b"<!DOCTYPE html><html><body>Not here</body></html>".to_vec()),
            );
        },
        names: LEVEL,
        says: "is not a PNG or JPEG image",
    },
    Case {
        name: "an image answered with 500",
        stage: |s, _, assets| s.route(&first_image(assets), Reply::Status(500)),
        names: "/show/assets/works/",
        says: "could not be downloaded: http://127.0.0.1:",
    },
    Case {
        name: "an image cut short",
        stage: |s, _, assets| {
            let path = first_image(assets);
            let bytes = std::fs::read(format!(
                "{}/{}",
                env!("CARGO_MANIFEST_DIR"),
                path.trim_start_matches("/show/")
            ))
            .unwrap();
            let announced = bytes.len();
            s.route(
                &path,
                Reply::Cut {
                    bytes: bytes[..announced / 2].to_vec(),
                    announced,
                },
            );
        },
        names: "/show/assets/works/",
        says: "the download is incomplete",
    },
    Case {
        name: "an image redirected to another origin",
        stage: |s, other, assets| {
            s.route(&first_image(assets), Reply::Redirect(other.url("/x.jpg")));
        },
        names: "/show/assets/works/",
        says: "an origin the level does not allow",
    },
];

#[test]
fn every_failure_names_the_url_and_what_went_wrong() {
    let other = Server::start();
    let mut failures = Vec::new();
    for case in CASES {
        let server = Server::start();
        let assets = serve_small(&server);
        (case.stage)(&server, &other, &assets);
        let data = data_dir(&format!("fail-{}", case.name.replace(' ', "-")));
        let url = server.url(LEVEL);
        let (code, out, err, took) = validate(&url, &data);
        let named = server.url(case.names);
        let line = out
            .lines()
            .find(|l| l.contains(case.says))
            .unwrap_or_default();
        if code != 1
            || line.is_empty()
            || !line.contains(&named)
            || err.contains("panicked")
            // Well inside the time a slow server would take (a drip of the level takes ~7 min).
            || took > Duration::from_secs(30)
        {
            failures.push(format!(
                "{}: exit {code} after {took:?}; wanted \"{}\" naming {named}:\n{out}{err}",
                case.name, case.says
            ));
        }
        println!("{}: {line} ({took:.1?})", case.name);
        let _ = std::fs::remove_dir_all(&data);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn refused_connections_and_other_schemes_are_clear_errors() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let data = data_dir("refused");
    let url = format!("http://127.0.0.1:{port}/levels/a.ron");
    let (code, out, err, _) = validate(&url, &data);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains(&format!("{url}: could not connect")), "{out}");

    for bad in ["file:///etc/passwd", "ftp://127.0.0.1/levels/a.ron"] {
        let (code, out, err, _) = validate(bad, &data);
        assert_eq!(code, 1, "{out}{err}");
        assert!(
            out.contains("only http and https addresses"),
            "{bad}: {out}"
        );
    }
}

#[test]
fn other_origins_need_the_levels_permission() {
    let server = Server::start();
    let cdn = Server::start();
    serve_small(&server);
    let image = "assets/works/lake-first-light.jpg";
    cdn.route(
        &format!("/{image}"),
        Reply::Ok(std::fs::read(format!("{}/{image}", env!("CARGO_MANIFEST_DIR"))).unwrap()),
    );
    let remote = cdn.url(&format!("/{image}"));
    let text = String::from_utf8(level_bytes()).unwrap();
    let moved = text.replacen(&format!("\"{image}\""), &format!("\"{remote}\""), 1);
    assert_ne!(moved, text);
    server.route(LEVEL, Reply::Ok(moved.clone().into_bytes()));
    let url = server.url(LEVEL);
    let data = data_dir("origins");
    let (code, out, _, _) = validate(&url, &data);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("which the level does not allow"), "{out}");
    assert!(out.contains("exhibition.allowed_origins"), "{out}");

    let allowed = moved.replacen(
        "curator: \"Tove Ahlgren\",",
        &format!(
            "curator: \"Tove Ahlgren\",\n        allowed_origins: [\"{}\"],",
            cdn.url("")
        ),
        1,
    );
    server.route(LEVEL, Reply::Ok(allowed.into_bytes()));
    let (code, out, err, _) = validate(&url, &data);
    assert_eq!(code, 0, "{out}{err}");
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn a_failed_download_leaves_the_game_on_the_error_screen() {
    let server = Server::start();
    let assets = serve_small(&server);
    server.route(&first_image(&assets), Reply::Status(503));
    let data = data_dir("game-error");
    let mut app = headless(&server.url(LEVEL), &data);
    assert_eq!(run_until_settled(&mut app), Screen::Error);
    let problems = app.world().resource::<LevelProblems>();
    let wanted = server.url(&first_image(&assets));
    assert!(
        problems
            .lines
            .iter()
            .any(|l| l.contains(&wanted) && l.contains("503")),
        "{:?}",
        problems.lines
    );

    server.route(LEVEL, Reply::Status(404));
    let mut app = headless(&server.url(LEVEL), &data);
    assert_eq!(run_until_settled(&mut app), Screen::Error);
    let problems = app.world().resource::<LevelProblems>();
    assert_eq!(
        problems.lines,
        vec![format!(
            "{}: the server answered 404 Not Found",
            server.url(LEVEL)
        )]
    );
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn the_picker_switches_exhibitions_in_a_running_game() {
    let server = Server::start();
    serve_small(&server);
    let data = data_dir("switch");
    let mut app = headless("levels/default.ron", &data);
    assert_eq!(run_until_settled(&mut app), Screen::Gallery);
    let default_works = works_in(&mut app);
    let small_works = vernissage::level::parse(&level_bytes())
        .unwrap()
        .works
        .len();
    assert_ne!(default_works, small_works);

    // To the exhibition by URL, as the title screen's picker does it.
    let url = server.url(LEVEL);
    vernissage::gallery::open_level(app.world_mut(), LevelLocation::parse(&url));
    app.update();
    assert_eq!(run_until_settled(&mut app), Screen::Gallery);
    assert_eq!(
        works_in(&mut app),
        small_works,
        "only the new exhibition's works"
    );
    let active = app.world().resource::<vernissage::gallery::ActiveLevel>();
    assert_eq!(active.0.exhibition.id, "small-hours");
    // It is remembered for the picker.
    let recent = app.world().resource::<vernissage::net::Recent>();
    assert_eq!(recent.0.levels[0].url, url);
    assert_eq!(recent.0.levels[0].title, "Small Hours");

    // And back to a file.
    vernissage::gallery::open_level(app.world_mut(), LevelLocation::parse("levels/default.ron"));
    app.update();
    assert_eq!(run_until_settled(&mut app), Screen::Gallery);
    assert_eq!(works_in(&mut app), default_works);
    let _ = std::fs::remove_dir_all(&data);
}
