//! The app's screens (title, loading, gallery, error) and the pause state, with their UI (the
//! title screen's level picker is `ui::picker`); the screenshot and measure modes.

mod error;
mod loading;
#[cfg(not(target_arch = "wasm32"))]
mod measure;
#[cfg(not(target_arch = "wasm32"))]
mod screenshot;

use bevy::prelude::*;

use crate::launch::Launch;

/// Which screen the app shows.
#[derive(States, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Screen {
    /// The exhibition's name and a way in.
    #[default]
    Title,
    /// Reading the level and painting textures, with a progress bar.
    Loading,
    /// Walking the exhibition.
    Gallery,
    /// The level cannot open: its problems, located.
    Error,
}

/// The 2D camera of a screen other than the gallery.
#[derive(Component, Debug, Clone, Copy)]
pub struct ScreenCamera(pub Screen);

/// Whether play is paused (only meaningful in [`Screen::Gallery`]).
#[derive(States, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Pause {
    #[default]
    Running,
    Paused,
}

/// Which panel is open over the gallery; walking stops while one is.
#[derive(SubStates, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[source(Screen = Screen::Gallery)]
pub enum Panel {
    #[default]
    Closed,
    /// All works, searchable; choosing one teleports the visitor to it.
    Catalogue,
    /// Look, movement, key bindings and render quality.
    Settings,
    /// Everything about the focused work, with rating, like and comment.
    Inspect,
    /// Visitor statistics for curators: per-work figures and the heat map.
    Analytics,
    /// The best-scored and fastest-rising works, and recommendations for this visitor.
    Leaderboard,
    /// The visitor's owned editions: resale listings and certificates of authenticity.
    Collection,
    /// Make generative works, see their predicted scores, publish them.
    Studio,
}

pub(super) fn plugin(app: &mut App) {
    app.init_state::<Screen>()
        .init_state::<Pause>()
        .add_sub_state::<Panel>()
        .add_systems(Startup, skip_title_when_unattended)
        .add_systems(OnExit(Screen::Gallery), unpause);
    let headless = app.world().contains_resource::<crate::Headless>();
    if !headless {
        app.add_plugins((loading::plugin, error::plugin));
        // The title (the level picker, `ui::picker`), loading and error screens are 2D: they
        // need a camera of their own (the eye camera only exists in the gallery).
        for screen in [Screen::Title, Screen::Loading, Screen::Error] {
            app.add_systems(OnEnter(screen), move |mut commands: Commands| {
                commands.spawn((
                    Name::new("Screen camera"),
                    ScreenCamera(screen),
                    Camera2d,
                    Camera {
                        // Above the eye camera, which stays (not drawing) through a rebuild.
                        order: 1,
                        ..default()
                    },
                    DespawnOnExit(screen),
                ));
            });
        }
        // Only with every panel closed: Esc on an open panel closes the panel, nothing more.
        app.add_systems(Update, toggle_pause.run_if(in_state(Panel::Closed)))
            .add_systems(OnEnter(Pause::Paused), spawn_pause_overlay);
    }
    let launch = app.world().get_resource::<Launch>();
    let screenshot = launch.is_some_and(|l| l.screenshot.is_some());
    let measure = launch.is_some_and(|l| l.measure.is_some());
    #[cfg(not(target_arch = "wasm32"))]
    if !headless {
        if screenshot {
            app.add_plugins(screenshot::plugin);
        }
        if measure {
            app.add_plugins(measure::plugin);
        }
    }
    #[cfg(target_arch = "wasm32")]
    let _ = (screenshot, measure);
}

/// Screenshots, measurements and headless runs go straight to loading.
fn skip_title_when_unattended(
    launch: Res<Launch>,
    headless: Option<Res<crate::Headless>>,
    mut next: ResMut<NextState<Screen>>,
) {
    if launch.screenshot.is_some() || launch.measure.is_some() || headless.is_some() {
        next.set(Screen::Loading);
    }
}

fn unpause(mut next: ResMut<NextState<Pause>>) {
    next.set(Pause::Running);
}

fn toggle_pause(
    keys: Res<ButtonInput<KeyCode>>,
    pause: Res<State<Pause>>,
    mut next: ResMut<NextState<Pause>>,
    mut screen: ResMut<NextState<Screen>>,
) {
    if keys.just_pressed(KeyCode::Escape) || keys.just_pressed(KeyCode::KeyP) {
        next.set(match pause.get() {
            Pause::Running => Pause::Paused,
            Pause::Paused => Pause::Running,
        });
    }
    if *pause.get() == Pause::Paused && keys.just_pressed(KeyCode::KeyQ) {
        screen.set(Screen::Title);
    }
}

fn spawn_pause_overlay(mut commands: Commands) {
    commands
        .spawn((
            Name::new("Pause overlay"),
            crate::ui::widgets::overlay(),
            DespawnOnExit(Pause::Paused),
        ))
        .with_children(|parent| {
            parent.spawn(crate::ui::widgets::heading("Paused"));
            parent.spawn(crate::ui::widgets::body(
                "Esc or P: back to the gallery    Q: leave to the title screen",
            ));
        });
}
