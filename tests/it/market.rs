//! The market in the running gallery, headless: the level's works registered, a visitor's
//! wallet opened with the starting grant, a purchase committed and shown on the plaque, the
//! balance kept across a restart, a certificate that checks out, and a damaged ledger that
//! opens read-only and refuses orders.

use bevy::ecs::message::Messages;
use bevy::prelude::*;
use vernissage::gallery::build::PlaqueText;
use vernissage::market::certificate::{Certificate, WorkLabel};
use vernissage::market::ledger::Payload;
use vernissage::market::{Market, MarketDone, MarketOrder, Order};
use vernissage::simulate::SimulationSpec;
use vernissage::simulate::script::{Script, Step};

const LEVEL: &str = "levels/small.ron";
const WORK: &str = "undertow";

fn data_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("vernissage-market-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn spec(dir: &std::path::Path) -> SimulationSpec {
    SimulationSpec {
        level: LEVEL.into(),
        scripts: vec![(
            "tester".into(),
            Script {
                format: 3,
                name: None,
                steps: vec![Step::Wait(600.0)],
            },
        )],
        random_visitors: 0,
        seed: 0,
        duration: None,
        rate: 60.0,
        data_dir: dir.to_path_buf(),
        events: false,
        scores: false,
    }
}

/// The gallery open, with the visitor's wallet: (app, visitor, wallet id).
fn open(dir: &std::path::Path) -> (App, Entity, String) {
    crate::support::open_with_wallet(&spec(dir))
}

/// Places an order and steps until its outcome comes back.
fn order(app: &mut App, visitor: Entity, order: Order) -> MarketDone {
    let mut cursor = app.world().resource::<Messages<MarketDone>>().get_cursor();
    app.world_mut()
        .write_message(MarketOrder { visitor, order });
    for _ in 0..10 {
        app.update();
        let messages = app.world().resource::<Messages<MarketDone>>();
        if let Some(done) = cursor.read(messages).find(|d| d.visitor == visitor) {
            return done.clone();
        }
    }
    panic!("the order never came back");
}

fn sale_line(app: &mut App, title: &str) -> String {
    let world = app.world_mut();
    world
        .query::<&PlaqueText>()
        .iter(world)
        .find(|p| p.title == title)
        .map(|p| p.sale.clone())
        .expect("the work has a plaque")
}

#[test]
fn buying_an_edition_is_committed_shown_and_kept_and_a_damaged_ledger_is_read_only() {
    let dir = data_dir("buy");
    let level = vernissage::level::parse(&std::fs::read(LEVEL).unwrap()).unwrap();
    let title = level
        .works
        .iter()
        .find(|w| w.id == WORK)
        .unwrap()
        .title
        .clone();

    let (mut app, visitor, wallet) = open(&dir);
    {
        let market = app.world().resource::<Market>();
        assert!(market.closed.is_none(), "{:?}", market.closed);
        assert!(market.not_for_sale.is_empty(), "{:?}", market.not_for_sale);
        for work in &level.works {
            assert!(
                market.state().works.contains_key(&work.id),
                "{} is not registered",
                work.id
            );
        }
        assert_eq!(market.balance(&wallet), Some(1_000), "the starting grant");
        assert_eq!(market.editions_left(WORK), Some((20, 20)));
        assert_eq!(
            vernissage::ui::wallet_line(market, Some(&wallet)),
            "Wallet: 1,000 tokens"
        );
    }
    app.update();
    assert_eq!(
        sale_line(&mut app, &title),
        "20 of 20 editions left, 340 tokens"
    );

    // Buying: committed, paid for, and on the plaque.
    let done = order(&mut app, visitor, Order::Buy { work: WORK.into() });
    let entry = done.outcome.expect("the purchase is committed");
    let Payload::Purchase {
        edition,
        price,
        credits,
        ..
    } = &entry.payload
    else {
        panic!("not a purchase: {:?}", entry.payload)
    };
    assert_eq!((*edition, *price), (1, 340));
    assert_eq!(credits.iter().map(|(_, n)| n).sum::<u64>(), 340);
    app.update();
    {
        let market = app.world().resource::<Market>();
        assert_eq!(market.balance(&wallet), Some(660));
        assert_eq!(market.collection(&wallet), vec![(WORK.to_string(), 1)]);
        assert_eq!(market.editions_left(WORK), Some((19, 20)));
        assert_eq!(
            vernissage::ui::wallet_line(market, Some(&wallet)),
            "Wallet: 660 tokens - 1 edition"
        );
        // Its certificate checks out against the live ledger.
        let certificate = Certificate::issue(
            market.state(),
            market.entries(),
            WorkLabel {
                exhibition: level.exhibition.title.clone(),
                title: title.clone(),
                artist: String::new(),
                curator_key: level.market.curator_key.clone(),
            },
            WORK,
            1,
            market.verifying_key().as_ref(),
        )
        .expect("an owned edition has a certificate");
        assert!(certificate.checks.all(), "{:?}", certificate.checks);
        assert_eq!(certificate.entry_index, entry.index);
        assert_eq!(certificate.owner, wallet);
    }
    assert_eq!(
        sale_line(&mut app, &title),
        "19 of 20 editions left, 340 tokens"
    );

    // More than the wallet holds is refused, and nothing changes.
    let refused = order(
        &mut app,
        visitor,
        Order::Buy {
            work: "still-life-with-seven-fruit".into(),
        },
    );
    let reason = refused.outcome.expect_err("1,600 tokens is more than 660");
    assert!(reason.contains("not enough tokens"), "{reason}");
    assert_eq!(app.world().resource::<Market>().balance(&wallet), Some(660));
    drop(app);

    // A restart on the same data directory: the ledger kept everything.
    let (mut app, _, again) = open(&dir);
    assert_eq!(again, wallet, "the same visitor, the same wallet");
    {
        let market = app.world().resource::<Market>();
        assert!(market.closed.is_none());
        assert_eq!(market.balance(&wallet), Some(660));
        assert_eq!(market.collection(&wallet), vec![(WORK.to_string(), 1)]);
    }
    app.update();
    assert_eq!(
        sale_line(&mut app, &title),
        "19 of 20 editions left, 340 tokens"
    );
    drop(app);

    // A changed byte in the middle of the ledger: read-only, and orders are refused.
    let log = dir
        .join("small-hours")
        .join(vernissage::market::LEDGER_DIR)
        .join("ledger.log");
    let mut bytes = std::fs::read(&log).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x5a;
    std::fs::write(&log, &bytes).unwrap();
    let (mut app, visitor, _) = open(&dir);
    let closed = app
        .world()
        .resource::<Market>()
        .closed
        .clone()
        .expect("a damaged ledger opens read-only");
    assert!(closed.contains("read-only"), "{closed}");
    assert!(
        vernissage::ui::wallet_line(app.world().resource::<Market>(), Some(&wallet))
            .starts_with("Market read-only: ")
    );
    let refused = order(&mut app, visitor, Order::Buy { work: WORK.into() });
    assert!(refused.outcome.is_err(), "{:?}", refused.outcome);
    assert_eq!(std::fs::read(&log).unwrap(), bytes, "nothing was written");
    drop(app);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_listing_made_by_another_process_sharing_the_data_directory_is_seen_and_can_be_bought() {
    let dir = data_dir("shared");
    let (mut app, visitor, wallet) = open(&dir);
    // A simulated collector, in its own app on the same data directory, buys and lists.
    let mut seller = spec(&dir);
    seller.scripts = vec![(
        "collector".into(),
        Script {
            format: 3,
            name: None,
            steps: vec![
                Step::Teleport(WORK.into()),
                Step::Wait(0.5),
                Step::Inspect,
                Step::Buy,
                Step::Wait(0.5),
                Step::List(450),
                Step::Wait(0.5),
            ],
        },
    )];
    let report = vernissage::simulate::run(&seller).expect("the simulation runs");
    let kinds: Vec<&str> = report.visitors[0]
        .transactions
        .iter()
        .map(|t| t.kind.as_str())
        .collect();
    assert_eq!(kinds, ["buy", "list"], "{:?}", report.visitors[0]);

    // The open gallery picks the listing up and sells it through the same rules.
    app.world_mut().resource_mut::<Market>().refresh();
    let listings = app.world().resource::<Market>().listings(WORK);
    assert_eq!(listings.len(), 1, "{listings:?}");
    let (edition, seller_wallet, price) = listings[0].clone();
    assert_eq!((seller_wallet.as_str(), price), ("collector", 450));
    let before = app.world().resource::<Market>().balance(&wallet).unwrap();
    let done = order(
        &mut app,
        visitor,
        Order::BuyListing {
            work: WORK.into(),
            edition,
        },
    );
    assert!(done.outcome.is_ok(), "{:?}", done.outcome);
    let market = app.world().resource::<Market>();
    assert_eq!(market.balance(&wallet), Some(before - 450));
    assert_eq!(market.state().owners[&(WORK.to_string(), edition)], wallet);
    let _ = std::fs::remove_dir_all(dir);
}
