//! Looking at works: what each visitor has in focus, the highlight and label of the person's
//! focused work, and opening the inspect panel.

pub mod focus;

use bevy::prelude::*;

pub use focus::{Focus, REACH};

pub(super) fn plugin(app: &mut App) {
    app.add_plugins(focus::plugin);
}
