//! Integration tests of Vernissage, in one crate so the engine is linked once.

mod cli;
mod feedback;
mod levels;
mod malformed;
mod support;
mod walking;
mod watch;
