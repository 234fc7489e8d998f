//! The studio, end to end: a candidate rendered headless by the CLI (same pixels and hash every
//! time), a publication registered once under the artist's key, hung, bought, refused when the
//! same content comes again, saved as an overlay that `validate` accepts and that loads with
//! the exhibition next time; and a simulation where visitors prefer one published candidate.

use bevy::ecs::message::Messages;
use bevy::prelude::*;
use vernissage::gallery::{ActiveLevel, WorkContent};
use vernissage::level::schema::Placement;
use vernissage::market::ledger::Payload;
use vernissage::market::{Market, MarketDone, MarketOrder, Order};
use vernissage::screens::Screen;
use vernissage::simulate::report::ReportedPublication;
use vernissage::simulate::script::{Script, Step};
use vernissage::simulate::{SimulationSpec, run};
use vernissage::studio::candidate::{Candidate, reference};
use vernissage::studio::publish::{Publication, signed_by};
use vernissage::studio::{PublishDone, PublishRequest, artist_key, overlay};

use crate::support::vernissage;

const LEVEL: &str = "levels/default.ron";
const SEED: u64 = 5;

fn data_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("vernissage-studio-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn spec(level: &str, dir: &std::path::Path, steps: Vec<Step>) -> SimulationSpec {
    SimulationSpec {
        level: level.into(),
        scripts: vec![(
            "artist".into(),
            Script {
                format: 4,
                name: None,
                steps,
            },
        )],
        random_visitors: 0,
        seed: SEED,
        duration: None,
        rate: 60.0,
        data_dir: dir.to_path_buf(),
        events: false,
        scores: false,
    }
}

/// The gallery open, with the visitor's wallet: (app, visitor, wallet id).
fn open(dir: &std::path::Path) -> (App, Entity, String) {
    crate::support::open_with_wallet(&spec(LEVEL, dir, vec![Step::Wait(600.0)]))
}

fn terms(title: &str) -> Publication {
    Publication {
        title: title.into(),
        artist: "Ada Vale".into(),
        description: "Tiles after rain.".into(),
        price: 150,
        editions: 3,
        ..Publication::default()
    }
}

/// Publishes and steps until the outcome is back and the gallery is open again.
fn publish(app: &mut App, visitor: Entity, candidate: Candidate, title: &str) -> PublishDone {
    let mut cursor = app.world().resource::<Messages<PublishDone>>().get_cursor();
    app.world_mut().write_message(PublishRequest {
        visitor,
        candidate,
        publication: terms(title),
    });
    let mut outcome = None;
    for _ in 0..100_000 {
        app.update();
        if outcome.is_none() {
            let messages = app.world().resource::<Messages<PublishDone>>();
            outcome = cursor
                .read(messages)
                .find(|d| d.visitor == visitor)
                .cloned();
        }
        let open = *app.world().resource::<State<Screen>>().get() == Screen::Gallery;
        if let Some(done) = &outcome
            && open
        {
            app.update();
            return done.clone();
        }
        std::thread::sleep(std::time::Duration::from_micros(200));
    }
    panic!("the publication never came back");
}

fn registrations(app: &App, work: &str) -> Vec<Payload> {
    app.world()
        .resource::<Market>()
        .entries()
        .iter()
        .map(|e| e.payload.clone())
        .filter(|p| matches!(p, Payload::RegisterWork { work: w, .. } if w == work))
        .collect()
}

fn buy(app: &mut App, visitor: Entity, work: &str) -> MarketDone {
    let mut cursor = app.world().resource::<Messages<MarketDone>>().get_cursor();
    app.world_mut().write_message(MarketOrder {
        visitor,
        order: Order::Buy { work: work.into() },
    });
    for _ in 0..10 {
        app.update();
        let messages = app.world().resource::<Messages<MarketDone>>();
        if let Some(done) = cursor.read(messages).find(|d| d.visitor == visitor) {
            return done.clone();
        }
    }
    panic!("the order never came back");
}

#[test]
fn a_publication_is_registered_once_hung_sold_saved_and_reloaded() {
    let dir = data_dir("publish");
    let (mut app, visitor, wallet) = open(&dir);
    let candidate = reference();

    let done = publish(&mut app, visitor, candidate.clone(), "Tide Study");
    let published = done.outcome.expect("published");
    assert_eq!(published.work, "tide-study");
    assert_eq!(published.content_hash, candidate.content_hash());

    // Exactly one registration, signed by the artist's key, with the content hash.
    let found = registrations(&app, "tide-study");
    assert_eq!(found.len(), 1, "{found:?}");
    let key = artist_key(None, Some(SEED), "Ada Vale").unwrap();
    assert!(signed_by(&found[0], &key.verifying_key()));
    let other = artist_key(None, Some(SEED), "Someone Else").unwrap();
    assert!(!signed_by(&found[0], &other.verifying_key()));
    let Payload::RegisterWork { content_hash, .. } = &found[0] else {
        unreachable!()
    };
    assert_eq!(*content_hash, candidate.content_hash());

    // Hung on a wall of the studio room, with its content hash known to the gallery.
    let level = app.world().resource::<ActiveLevel>().0.clone();
    let work = level
        .works
        .iter()
        .find(|w| w.id == "tide-study")
        .expect("in the level")
        .clone();
    assert!(
        matches!(&work.placement, Placement::Wall { room, .. } if room == "studio"),
        "{:?}",
        work.placement
    );
    assert_eq!(
        app.world().resource::<WorkContent>().0.get("tide-study"),
        Some(&candidate.content_hash())
    );

    // Purchasable like any other work.
    let bought = buy(&mut app, visitor, "tide-study");
    assert!(bought.outcome.is_ok(), "{:?}", bought.outcome);
    assert!(
        app.world()
            .resource::<Market>()
            .collection(&wallet)
            .contains(&("tide-study".to_string(), 1))
    );

    // The same content again, under another title: refused as a duplicate registration.
    let again = publish(&mut app, visitor, candidate.clone(), "Tide Study Again");
    let refusal = again.outcome.expect_err("a duplicate");
    assert!(refusal.contains("duplicate registration"), "{refusal}");
    assert!(refusal.contains("tide-study"), "{refusal}");
    assert_eq!(registrations(&app, "tide-study").len(), 1);
    assert!(registrations(&app, "tide-study-again").is_empty());
    drop(app);

    // The overlay: a RON file `validate` accepts against its level, and with the level.
    let file = dir.join("slow-light").join(overlay::FILE_NAME);
    let text = std::fs::read_to_string(&file).expect("the overlay was saved");
    assert!(overlay::is_overlay(&text));
    let file_arg = file.to_string_lossy().into_owned();
    let (code, out, err) = vernissage(&["validate", &file_arg, "--level", LEVEL]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("ok (overlay of \"slow-light\": 1 published works)"),
        "{out}"
    );
    let dir_arg = dir.to_string_lossy().into_owned();
    let (code, out, err) = vernissage(&["validate", LEVEL, "--data-dir", &dir_arg]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("levels/default.ron: ok ("), "{out}");
    assert!(out.contains("studio.ron: ok (overlay"), "{out}");
    // The studio command knows the content is published already.
    let png = dir.join("again.png").to_string_lossy().into_owned();
    let mut args = vec![
        "studio",
        "--data-dir",
        &dir_arg,
        "--level",
        LEVEL,
        "--algorithm",
        "voronoi-mosaic",
        "--seed",
        "2026",
        "--png",
        &png,
        "--size",
        "32",
    ];
    for param in [
        "cells=64",
        "jitter=0.5",
        "grout=3",
        "shading=0.8",
        "palette=5",
    ] {
        args.extend(["--param", param]);
    }
    let (code, out, err) = vernissage(&args);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("already in the exhibition as \"tide-study\""),
        "{out}"
    );
    // Without its level an overlay cannot be checked, and says so.
    let (code, out, _) = vernissage(&["validate", &file_arg]);
    assert_eq!(code, 1);
    assert!(out.contains("--level"), "{out}");

    // Next time the exhibition opens, the work hangs where it did and stays registered once.
    let (app, _, _) = open(&dir);
    let level = app.world().resource::<ActiveLevel>().0.clone();
    let again = level.works.iter().find(|w| w.id == "tide-study");
    assert_eq!(again.map(|w| &w.placement), Some(&work.placement));
    assert_eq!(registrations(&app, "tide-study").len(), 1);
    assert_eq!(
        app.world()
            .resource::<Market>()
            .state()
            .owner("tide-study", 1),
        Some(&wallet)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_broken_overlay_is_located_and_the_exhibition_still_opens() {
    let dir = data_dir("broken");
    let exhibition = dir.join("slow-light");
    std::fs::create_dir_all(&exhibition).unwrap();
    let file = exhibition.join(overlay::FILE_NAME);
    std::fs::write(
        &file,
        "Overlay(\n    format: 1,\n    exhibition: \"slow-light\",\n    works: [(id: 3)],\n)\n",
    )
    .unwrap();
    let file_arg = file.to_string_lossy().into_owned();
    let (code, out, _) = vernissage(&["validate", &file_arg, "--level", LEVEL]);
    assert_eq!(code, 1);
    assert!(out.starts_with(&format!("{file_arg}:4:")), "{out}");
    let (app, _, _) = open(&dir);
    let level = app.world().resource::<ActiveLevel>().0.clone();
    assert!(level.works.iter().any(|w| w.id == "studio-welcome"));
    let published = app.world().resource::<vernissage::studio::PublishedWorks>();
    assert!(published.broken.is_some());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_studio_command_renders_the_same_candidate_the_same_way() {
    let dir = data_dir("cli");
    std::fs::create_dir_all(&dir).unwrap();
    let run_once = |name: &str| {
        let png = dir.join(name);
        let png_arg = png.to_string_lossy().into_owned();
        let dir_arg = dir.to_string_lossy().into_owned();
        let (code, out, err) = vernissage(&[
            "studio",
            "--data-dir",
            &dir_arg,
            "--level",
            LEVEL,
            "--algorithm",
            "voronoi-mosaic",
            "--seed",
            "2026",
            "--param",
            "cells=64",
            "--param",
            "jitter=0.5",
            "--param",
            "grout=3",
            "--param",
            "shading=0.8",
            "--param",
            "palette=5",
            "--png",
            &png_arg,
            "--size",
            "64",
        ]);
        assert_eq!(code, 0, "{out}{err}");
        (out, std::fs::read(&png).expect("the png was written"))
    };
    let (out_a, png_a) = run_once("a.png");
    let (out_b, png_b) = run_once("b.png");
    assert_eq!(png_a, png_b);
    let image = image::load_from_memory(&png_a).unwrap().to_rgba8();
    let pixels = reference().render(64).unwrap();
    assert_eq!(image.into_raw(), pixels.rgba);
    let hash = vernissage::market::terms::hex(&reference().content_hash());
    assert!(out_a.contains(&format!("content hash: {hash}")), "{out_a}");
    assert_eq!(
        out_a.replace("a.png", "x.png"),
        out_b.replace("b.png", "x.png")
    );
    assert!(out_a.contains("predicted score: "), "{out_a}");
    assert!(
        out_a.contains("no ratings in this exhibition yet"),
        "{out_a}"
    );
    assert!(out_a.contains("image.colourfulness"), "{out_a}");
    assert!(!out_a.contains("already in the exhibition"), "{out_a}");

    let png_arg = dir.join("c.png").to_string_lossy().into_owned();
    // An unknown parameter, and one without a value: named errors, exit code 1.
    for (param, says) in [("wobble=2", "wobble"), ("lines", "name=value")] {
        let (code, _, err) = vernissage(&[
            "studio",
            "--level",
            LEVEL,
            "--algorithm",
            "flow-field",
            "--seed",
            "1",
            "--param",
            param,
            "--png",
            &png_arg,
        ]);
        assert_eq!(code, 1, "{param}");
        assert!(err.contains(says), "{param}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn publish_step(title: &str, seed: u64, appeal: f64) -> Step {
    Step::Publish {
        title: title.into(),
        artist: "Ada Vale".into(),
        description: String::new(),
        algorithm: "flow-field".into(),
        seed,
        params: Default::default(),
        price: 40,
        editions: 50,
        artist_percent: 90.0,
        gallery: "Studio".into(),
        resale_percent: 10.0,
        appeal: Some(appeal),
    }
}

/// Publishes three candidates, the visitors strongly preferring `favourite` (0, 1 or 2), and
/// checks that it ranks above the other two once rated; its report entry comes back.
fn favourite_ranks_first(favourite: usize, dir: &std::path::Path) -> ReportedPublication {
    let titles = ["Loved", "Shrugged At", "Passed By"];
    let ids = ["loved", "shrugged-at", "passed-by"];
    let mut steps: Vec<Step> = titles
        .iter()
        .enumerate()
        .map(|(i, t)| publish_step(t, i as u64 + 1, if i == favourite { 0.97 } else { 0.12 }))
        .collect();
    steps.push(Step::Wait(1.0));
    let mut spec = spec("levels/small.ron", dir, steps);
    spec.random_visitors = 12;
    spec.seed = 3;
    spec.duration = Some(480.0);
    spec.rate = 20.0;
    spec.scores = true;
    let report = run(&spec).expect("the run completes");
    assert_eq!(
        report.published.len(),
        3,
        "{:?}",
        report.visitors[0].refused
    );
    let final_score = |work: &str| {
        let p = report.published.iter().find(|p| p.work == work).unwrap();
        assert!(p.scores.len() >= 2, "{work}: {:?}", p.scores);
        assert!(p.scores.windows(2).all(|w| w[0].time < w[1].time));
        p.scores.last().unwrap().clone()
    };
    let best = final_score(ids[favourite]);
    for (i, other) in ids.iter().enumerate() {
        if i == favourite {
            continue;
        }
        let score = final_score(other);
        assert!(
            best.predicted > score.predicted,
            "{} {best:?} vs {other} {score:?}",
            ids[favourite]
        );
        assert!(
            best.ratings > score.ratings,
            "{best:?} vs {other} {score:?}"
        );
    }
    assert!(best.ratings >= 10, "{best:?}");
    report
        .published
        .into_iter()
        .find(|p| p.work == ids[favourite])
        .unwrap()
}

#[test]
fn visitors_who_prefer_one_published_candidate_rank_it_first() {
    let dir = data_dir("prefer-first");
    let loved = favourite_ranks_first(0, &dir);
    // Its sales are reported, at its price.
    assert!(!loved.sales.is_empty(), "{loved:?}");
    assert!(loved.sales.iter().all(|s| s.price == 40 && s.kind == "buy"));
    let _ = std::fs::remove_dir_all(&dir);
    // The ranking follows the visitors' taste, not the order or the seed of the candidates.
    let dir = data_dir("prefer-last");
    favourite_ranks_first(2, &dir);
    let _ = std::fs::remove_dir_all(&dir);
}
