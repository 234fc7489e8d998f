//! Integration tests of Vernissage, in one crate so the engine is linked once.

mod cli;
mod crash;
mod feedback;
mod http;
mod ledger_cli;
mod levels;
mod malformed;
mod market;
mod net;
mod scale;
mod studio;
mod support;
mod walking;
mod watch;
