//! Tracing to a log file: the terminal belongs to the UI.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Filter used when `ANSHIN_LOG` is not set.
const DEFAULT_FILTER: &str = "anshin=info,warn";

/// Starts logging to `anshin.log` in `dir`. Keep the guard alive until exit
/// so buffered lines are flushed.
pub fn init(dir: &Path) -> std::io::Result<(WorkerGuard, PathBuf)> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join("anshin.log");
    let file = OpenOptions::new().create(true).append(true).open(&path)?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter =
        EnvFilter::try_from_env("ANSHIN_LOG").unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init();
    Ok((guard, path))
}
