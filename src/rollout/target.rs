//! The suggested rollback target: the last version that was stable on an
//! alias, with the reason it was chosen. The guided rollback in the cockpit
//! and `anshin rollback` both use it.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::executor::{AliasSnapshot, AuditRecord, WriteKind};
use super::state::Rollout;
use crate::model::Alias;

/// Source of the suggestion, strongest evidence first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetSource {
    /// The stable version of an unfinished rollout of this alias.
    UnfinishedRollout,
    /// The routing before the latest successful write that brought the
    /// current version onto the alias.
    AuditLog,
    /// The primary version of a weighted alias.
    Routing,
}

/// A rollback target with the reason, as the operator reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestedTarget {
    pub version: String,
    pub source: TargetSource,
    pub reason: String,
}

impl fmt::Display for SuggestedTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "version {}: {}", self.version, self.reason)
    }
}

/// The version being rolled back: the new version of an unfinished rollout,
/// else the additional (canary) version of a weighted alias, else the
/// alias's only version.
pub fn current_version(alias: &Alias, unfinished: Option<&Rollout>) -> String {
    if let Some(rollout) = unfinished {
        return rollout.new_version.clone();
    }
    alias
        .routing
        .iter()
        .max_by(|a, b| a.weight.total_cmp(&b.weight))
        .map_or_else(|| alias.function_version.clone(), |r| r.version.clone())
}

fn routes_to(snapshot: &AliasSnapshot, version: &str) -> bool {
    snapshot.function_version == version
        || snapshot
            .weights
            .get(version)
            .is_some_and(|weight| *weight > 0.0)
}

/// How far back a write that took a version off an alias counts as recent
/// for the shift pre-flight.
pub const RECENT_REMOVAL_HOURS: i64 = 24;

/// Returns the newest succeeded write of `records`, within
/// [`RECENT_REMOVAL_HOURS`] before `now`, that took `version` off
/// `function:alias`: a rollback by hand, by the wizard or by the guard.
pub fn recent_removal<'a>(
    records: &'a [AuditRecord],
    function: &str,
    alias: &str,
    version: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<&'a AuditRecord> {
    let since = now - chrono::TimeDelta::hours(RECENT_REMOVAL_HOURS);
    successful_writes(records, function, alias).find(|record| {
        record.time >= since
            && routes_to(&record.before, version)
            && !routes_to(&record.after, version)
    })
}

/// Finds the latest successful write that put `version` onto the alias,
/// which routed none of its traffic to it before.
pub fn brought_in<'a>(
    records: &'a [AuditRecord],
    function: &str,
    alias: &str,
    version: &str,
) -> Option<&'a AuditRecord> {
    successful_writes(records, function, alias)
        .find(|record| routes_to(&record.after, version) && !routes_to(&record.before, version))
}

/// Lists the succeeded writes to `function:alias`, newest first.
fn successful_writes<'a>(
    records: &'a [AuditRecord],
    function: &str,
    alias: &str,
) -> impl Iterator<Item = &'a AuditRecord> {
    records.iter().rev().filter(move |record| {
        record.function == function && record.alias == alias && record.outcome == "succeeded"
    })
}

/// The version of `snapshot` other than `current` that took the most
/// traffic.
fn stable_in(snapshot: &AliasSnapshot, current: &str) -> Option<String> {
    let extra: f64 = snapshot.weights.values().sum();
    let mut split: Vec<(&str, f64)> = vec![(&snapshot.function_version, 1.0 - extra)];
    split.extend(
        snapshot
            .weights
            .iter()
            .map(|(version, weight)| (version.as_str(), *weight)),
    );
    split
        .into_iter()
        .filter(|(version, _)| *version != current)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(version, _)| version.to_string())
}

/// Suggests the version to roll `function:alias` back to, or `None` when
/// neither an unfinished rollout, the audit log nor the routing names one.
/// `records` is the audit log in file order (oldest first).
pub fn suggest_target(
    function: &str,
    alias: &Alias,
    unfinished: Option<&Rollout>,
    records: &[AuditRecord],
) -> Option<SuggestedTarget> {
    let current = current_version(alias, unfinished);

    if let Some(rollout) = unfinished
        && rollout.stable_version != current
    {
        return Some(SuggestedTarget {
            version: rollout.stable_version.clone(),
            source: TargetSource::UnfinishedRollout,
            reason: format!(
                "stable version of the unfinished rollout {} → {} ({})",
                rollout.stable_version,
                rollout.new_version,
                rollout.phase.name()
            ),
        });
    }

    let from_audit = brought_in(records, function, &alias.name, &current)
        // A rollback brought the current version in, so the version before
        // it is the one rolled back from: suggesting it would undo the
        // rollback.
        .filter(|record| record.kind != WriteKind::Rollback)
        .and_then(|record| {
            let version = stable_in(&record.before, &current)?;
            Some(SuggestedTarget {
                reason: format!(
                    "the alias routed all traffic to it before the write of {} that brought \
                     version {current} in ({})",
                    record.time.format("%Y-%m-%d %H:%M UTC"),
                    record.reason
                ),
                version,
                source: TargetSource::AuditLog,
            })
        });
    if from_audit.is_some() {
        return from_audit;
    }

    if alias.is_weighted() && alias.function_version != current {
        let split = alias.traffic_split();
        let weight = split.first().map_or(0.0, |(_, weight)| *weight);
        return Some(SuggestedTarget {
            version: alias.function_version.clone(),
            source: TargetSource::Routing,
            reason: format!(
                "primary version of the weighted alias, taking {:.0}% of traffic while \
                 version {current} takes the rest; no write in the audit log brought \
                 version {current} in",
                weight * 100.0
            ),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::model::RoutingWeight;
    use crate::rollout::executor::{AuditIdentity, WriteKind};

    fn alias(version: &str, extra: Option<(&str, f64)>) -> Alias {
        Alias {
            name: "live".to_string(),
            function_version: version.to_string(),
            routing: extra
                .map(|(version, weight)| {
                    vec![RoutingWeight {
                        version: version.to_string(),
                        weight,
                    }]
                })
                .unwrap_or_default(),
            revision_id: Some("rev".to_string()),
            description: None,
        }
    }

    fn record(before: &Alias, after: &Alias, outcome: &str) -> AuditRecord {
        AuditRecord {
            time: Utc
                .with_ymd_and_hms(2026, 3, 1, 9, 30, 0)
                .single()
                .expect("valid time"),
            identity: AuditIdentity::default(),
            function: "cart-api".to_string(),
            alias: "live".to_string(),
            before: AliasSnapshot::from_alias(before),
            after: AliasSnapshot::from_alias(after),
            reason: "shift step 1 of 2 (Canary10Percent5Minutes)".to_string(),
            kind: WriteKind::Shift,
            outcome: outcome.to_string(),
            error: None,
        }
    }

    #[test]
    fn audit_log_names_version_before_canary() {
        let records = vec![
            record(&alias("3", None), &alias("4", None), "succeeded"),
            record(
                &alias("4", None),
                &alias("4", Some(("5", 0.1))),
                "succeeded",
            ),
        ];

        let suggested = suggest_target("cart-api", &alias("4", Some(("5", 0.1))), None, &records)
            .expect("suggests");

        assert_eq!(suggested.version, "4");
        assert_eq!(suggested.source, TargetSource::AuditLog);
        assert!(suggested.reason.contains("2026-03-01 09:30 UTC"));
    }

    #[test]
    fn rollback_is_not_undone() {
        // The alias went 3 -> 4 by a shift, then 4 -> 3 by a rollback.
        let mut rollback = record(&alias("4", None), &alias("3", None), "succeeded");
        rollback.kind = WriteKind::Rollback;
        let records = vec![
            record(&alias("3", None), &alias("4", None), "succeeded"),
            rollback,
        ];

        let suggested = suggest_target("cart-api", &alias("3", None), None, &records);

        assert_eq!(suggested, None);
        let found = brought_in(&records, "cart-api", "live", "3").expect("the rollback");
        assert_eq!(found.kind, WriteKind::Rollback);
    }

    #[test]
    fn old_audit_lines_read_as_shifts() {
        let mut line =
            serde_json::to_value(record(&alias("3", None), &alias("4", None), "succeeded"))
                .expect("encodes");
        let removed = line
            .as_object_mut()
            .and_then(|object| object.remove("kind"));
        assert_eq!(removed, Some(serde_json::json!("shift")));

        let read: AuditRecord = serde_json::from_value(line).expect("decodes");

        assert_eq!(read.kind, WriteKind::Shift);
    }

    #[test]
    fn audit_log_names_version_after_full_shift() {
        let records = vec![
            record(
                &alias("4", None),
                &alias("4", Some(("5", 0.1))),
                "succeeded",
            ),
            record(
                &alias("4", Some(("5", 0.1))),
                &alias("5", None),
                "succeeded",
            ),
            record(&alias("5", None), &alias("6", None), "failed"),
        ];

        let suggested =
            suggest_target("cart-api", &alias("5", None), None, &records).expect("suggests");

        assert_eq!(suggested.version, "4");
        assert_eq!(suggested.source, TargetSource::AuditLog);
    }

    #[test]
    fn audit_log_of_other_alias_is_ignored() {
        let mut other = record(&alias("3", None), &alias("5", None), "succeeded");
        other.alias = "staging".to_string();

        let suggested = suggest_target("cart-api", &alias("5", None), None, &[other]);

        assert_eq!(suggested, None);
    }

    #[test]
    fn routing_names_primary_version() {
        let suggested = suggest_target("cart-api", &alias("12", Some(("13", 0.2))), None, &[])
            .expect("suggests");

        assert_eq!(suggested.version, "12");
        assert_eq!(suggested.source, TargetSource::Routing);
        assert!(suggested.reason.contains("80%"));
    }

    #[test]
    fn single_version_without_history_has_none() {
        assert_eq!(
            suggest_target("cart-api", &alias("5", None), None, &[]),
            None
        );
    }

    #[test]
    fn current_version_is_canary() {
        assert_eq!(current_version(&alias("12", Some(("13", 0.1))), None), "13");
        assert_eq!(current_version(&alias("12", None), None), "12");
    }

    #[test]
    fn recent_removal_finds_rollback() {
        let canary = alias("4", Some(("5", 0.1)));
        let records = vec![
            record(&alias("4", None), &canary, "succeeded"),
            record(&canary, &alias("4", None), "succeeded"),
        ];
        let written = records[1].time;

        let within = written + chrono::TimeDelta::hours(2);
        let found = recent_removal(&records, "cart-api", "live", "5", within);
        assert!(found.is_some_and(|record| record.time == written));

        // Version 4 stayed on the alias, and a day later the write is old.
        assert!(recent_removal(&records, "cart-api", "live", "4", within).is_none());
        let later = written + chrono::TimeDelta::hours(RECENT_REMOVAL_HOURS + 1);
        assert!(recent_removal(&records, "cart-api", "live", "5", later).is_none());
        // Another alias, and a write that failed, do not count.
        assert!(recent_removal(&records, "cart-api", "staging", "5", within).is_none());
        let failed = vec![record(&canary, &alias("4", None), "failed")];
        assert!(recent_removal(&failed, "cart-api", "live", "5", within).is_none());
    }
}
