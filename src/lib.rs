//! anshin: a terminal cockpit for operating AWS Lambda fleets safely.
//!
//! The binary in `main.rs` parses the command line and dispatches; this
//! library holds everything else so that integration tests can drive the
//! data layer and the UI directly.

pub mod aws;
pub mod checks;
pub mod cli;
pub mod commands;
pub mod config;
pub mod logging;
pub mod logs;
pub mod model;
pub mod plain;
pub mod poll;
pub mod report;
pub mod rollout;
pub mod snapshot;
pub mod traces;
pub mod ui;
