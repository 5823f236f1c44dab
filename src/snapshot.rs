//! One full read of the fleet, and snapshot files for offline browsing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::aws::AwsContext;
use crate::checks::ChecksConfig;
use crate::model::{Fleet, SNAPSHOT_FORMAT_VERSION};
use crate::poll::{self, DataEvent, PollConfig, PollMode};

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot read snapshot {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write snapshot {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not an anshin snapshot: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error(
        "{path} has snapshot format {found}, but this build reads format {expected}; open it with a matching anshin version"
    )]
    Version {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    #[error(
        "{path} holds functions of {regions}, which its \"regions\" list does not name; add them there"
    )]
    RegionsMissing { path: PathBuf, regions: String },
}

/// Polls every source of every region once and returns the resulting state,
/// with checklist results under the default checklist settings.
/// `progress` receives each event before it is applied, for progress output.
pub async fn collect(
    context: &AwsContext,
    config: PollConfig,
    progress: impl FnMut(&DataEvent),
) -> Fleet {
    collect_with_checks(context, config, ChecksConfig::default(), progress).await
}

/// Like [`collect`], evaluating the checklist with `checks`.
pub async fn collect_with_checks(
    context: &AwsContext,
    config: PollConfig,
    checks: ChecksConfig,
    mut progress: impl FnMut(&DataEvent),
) -> Fleet {
    let mut fleet = Fleet::new(
        context.profile.clone(),
        context.region_names(),
        context.endpoint_url.clone(),
    );
    fleet.checks_config = checks;
    let mut pending: BTreeSet<String> = context.region_names().into_iter().collect();
    let mut identity_pending = !context.regions.is_empty();
    let mut handle = poll::spawn(context, config, PollMode::Once);

    while let Some(event) = handle.events.recv().await {
        progress(&event);
        match &event {
            DataEvent::CycleComplete { region } => {
                pending.remove(region);
            }
            DataEvent::Identity { .. } => identity_pending = false,
            _ => {}
        }
        fleet.apply(event);
        if pending.is_empty() && !identity_pending {
            break;
        }
    }
    handle.shutdown();
    // Budgets and Compute Optimizer feed COST-004 and COST-005; read them
    // once here, as the cockpit's account loop does every 30 minutes.
    // Applying them re-evaluates every region's checklist.
    for event in poll::read_checklist_inputs(&context.regions).await {
        progress(&event);
        fleet.apply(event);
    }
    fleet
}

/// Regions whose function list could not be read.
pub fn failed_regions(fleet: &Fleet) -> Vec<String> {
    fleet
        .regions
        .iter()
        .filter(|region| !fleet.functions_loaded(region))
        .cloned()
        .collect()
}

/// Writes the fleet as pretty JSON; `-` writes to standard output.
pub fn write(fleet: &Fleet, path: &Path) -> Result<(), SnapshotError> {
    let json = serde_json::to_string_pretty(fleet).map_err(|source| SnapshotError::Parse {
        path: path.to_path_buf(),
        source,
    })?;
    let written = if path == Path::new("-") {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(json.as_bytes())
            .and_then(|()| stdout.write_all(b"\n"))
    } else {
        std::fs::write(path, json + "\n")
    };
    written.map_err(|source| SnapshotError::Write {
        path: path.to_path_buf(),
        source,
    })
}

pub fn read(path: &Path) -> Result<Fleet, SnapshotError> {
    let text = std::fs::read_to_string(path).map_err(|source| SnapshotError::Read {
        path: path.to_path_buf(),
        source,
    })?;

    // Check the version before the full parse, so an older or newer file
    // gets a clear message instead of a missing-field error.
    #[derive(serde::Deserialize)]
    struct Header {
        format_version: u32,
    }
    let header: Header = serde_json::from_str(&text).map_err(|source| SnapshotError::Parse {
        path: path.to_path_buf(),
        source,
    })?;
    if header.format_version != SNAPSHOT_FORMAT_VERSION {
        return Err(SnapshotError::Version {
            path: path.to_path_buf(),
            found: header.format_version,
            expected: SNAPSHOT_FORMAT_VERSION,
        });
    }
    let fleet: Fleet = serde_json::from_str(&text).map_err(|source| SnapshotError::Parse {
        path: path.to_path_buf(),
        source,
    })?;

    // Every view and report lists regions from `regions`, so functions of a
    // region missing there would be counted but never shown.
    let unlisted: Vec<&str> = fleet
        .functions
        .keys()
        .filter(|region| !fleet.regions.contains(region))
        .map(String::as_str)
        .collect();
    if !unlisted.is_empty() {
        return Err(SnapshotError::RegionsMissing {
            path: path.to_path_buf(),
            regions: unlisted.join(", "),
        });
    }
    Ok(fleet)
}

/// Describes an event in one line for progress output on stderr.
pub fn describe_progress(event: &DataEvent) -> Option<String> {
    match event {
        DataEvent::Identity {
            result: Ok(identity),
            ..
        } => Some(format!(
            "account {}",
            identity.account.as_deref().unwrap_or("unknown")
        )),
        DataEvent::Functions { region, result, .. } => Some(match result {
            Ok(functions) => format!("{region}: {} functions", functions.len()),
            Err(error) => format!("{region}: {error}"),
        }),
        DataEvent::DetailsDone {
            region,
            first_error,
            ..
        } => Some(match first_error {
            None => format!("{region}: aliases and tags read"),
            Some(error) => format!("{region}: aliases and tags read with errors, first: {error}"),
        }),
        DataEvent::VersionsDone {
            region,
            first_error,
            ..
        } => Some(match first_error {
            None => format!("{region}: versions read"),
            Some(error) => format!("{region}: versions read with errors, first: {error}"),
        }),
        DataEvent::Metrics { region, result, .. } => Some(match result {
            Ok(_) => format!("{region}: metrics read"),
            Err(error) => format!("{region}: {error}"),
        }),
        DataEvent::Percentiles { region, result, .. } => Some(match result {
            Ok(_) => format!("{region}: p99 read"),
            Err(error) => format!("{region}: p99 unavailable: {error}"),
        }),
        DataEvent::ResourcesDone {
            region,
            first_error,
            ..
        } => Some(match first_error {
            None => format!("{region}: checklist data read"),
            Some(error) => {
                format!("{region}: checklist data read with errors, first: {error}")
            }
        }),
        DataEvent::Identity {
            result: Err(error), ..
        } => Some(error.to_string()),
        DataEvent::Budgets { result, .. } => Some(match result {
            Ok(budgets) => format!("account: {} budgets read", budgets.len()),
            Err(error) => format!("account: budgets unavailable: {error}"),
        }),
        DataEvent::ComputeOptimizer { region, result, .. } => Some(match result {
            Ok(_) => format!("{region}: Compute Optimizer read"),
            Err(error) => format!("{region}: Compute Optimizer unavailable: {error}"),
        }),
        _ => None,
    }
}
