//! Integration tests of Vernissage, in one crate so the engine is linked once.

mod cli;
mod levels;
mod malformed;
mod support;
mod walking;
mod watch;
