//! The fleet table's rows: values derived from the fleet state, filtered
//! and sorted. Computed per frame from state, never stored.

use std::cmp::Ordering;

use chrono::{DateTime, Duration, Utc};

use crate::model::{Fleet, FunctionEntry, FunctionKey};

/// The error-rate column covers this many recent minutes, so that a change
/// of routing shows within a poll or two instead of being diluted by an
/// hour of history.
pub const RECENT_MINUTES: i64 = 5;

/// The alias whose routing the table shows when a function has several.
pub const PREFERRED_ALIAS: &str = "live";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Name,
    Region,
    Runtime,
    Memory,
    Routing,
    Invocations,
    Trend,
    ErrorRate,
    Throttles,
    AvgDuration,
    MaxDuration,
    P99,
    Concurrency,
    Modified,
    /// The worst failing checklist severity and the number of failures.
    Checks,
}

impl Column {
    /// Display order, left to right.
    pub const ALL: [Column; 15] = [
        Column::Name,
        Column::Region,
        Column::Runtime,
        Column::Memory,
        Column::Routing,
        Column::Checks,
        Column::Invocations,
        Column::Trend,
        Column::ErrorRate,
        Column::Throttles,
        Column::AvgDuration,
        Column::MaxDuration,
        Column::P99,
        Column::Concurrency,
        Column::Modified,
    ];

    /// The columns that can be sorted on, in the order `s` cycles through.
    pub const SORTABLE: [Column; 14] = [
        Column::Name,
        Column::Region,
        Column::Runtime,
        Column::Memory,
        Column::Routing,
        Column::Checks,
        Column::Invocations,
        Column::ErrorRate,
        Column::Throttles,
        Column::AvgDuration,
        Column::MaxDuration,
        Column::P99,
        Column::Concurrency,
        Column::Modified,
    ];
}

/// One row of the fleet table.
#[derive(Debug, Clone)]
pub struct FleetRow<'a> {
    pub entry: &'a FunctionEntry,
    pub invocations: Option<f64>,
    pub trend: Vec<Option<f64>>,
    pub error_rate: Option<f64>,
    pub throttles: Option<f64>,
    pub avg_ms: Option<f64>,
    pub max_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub peak_concurrency: Option<f64>,
    /// Set when a version behind the shown alias fails far more often than
    /// the primary version, such as "v13 8.1% vs v12 0.3%".
    pub canary_alert: Option<String>,
}

impl<'a> FleetRow<'a> {
    pub fn new(fleet: &'a Fleet, entry: &'a FunctionEntry) -> Self {
        let window = fleet.metrics_window.get(&entry.function.region);
        // Without a metrics window there are no metrics to read either.
        let metrics = entry.metrics.as_ref().filter(|_| window.is_some());
        let (start, end, period) = window.map_or(
            (DateTime::<Utc>::UNIX_EPOCH, DateTime::<Utc>::UNIX_EPOCH, 60),
            |w| (w.start, w.end, w.period_s),
        );
        let recent = end - Duration::minutes(RECENT_MINUTES);
        Self {
            entry,
            invocations: metrics.and_then(|m| m.invocations.sum_since(start)),
            trend: metrics
                .map(|m| m.invocations.buckets(start, end, period))
                .unwrap_or_default(),
            error_rate: metrics.and_then(|m| m.error_rate_since(recent)),
            throttles: metrics.and_then(|m| m.throttles.sum_since(start)),
            avg_ms: metrics.and_then(|m| m.avg_duration_ms_since(start)),
            max_ms: metrics.and_then(|m| m.duration_max_ms.max_since(start)),
            p99_ms: metrics.and_then(|m| m.p99_ms_since(start)),
            peak_concurrency: metrics.and_then(|m| m.concurrency_max.max_since(start)),
            canary_alert: window
                .and_then(|w| canary_alert(entry, w.end - Duration::minutes(CANARY_MINUTES))),
        }
    }

    pub fn key(&self) -> FunctionKey {
        self.entry.key()
    }

    /// "live 12:90% 13:10%", or the first alias, or "–" without aliases.
    pub fn routing_label(&self) -> String {
        routing_label(self.entry)
    }

    fn sort_value(&self, column: Column) -> Option<f64> {
        match column {
            Column::Memory => self.entry.function.memory_mb.map(f64::from),
            Column::Invocations | Column::Trend => self.invocations,
            Column::ErrorRate => self.error_rate,
            Column::Throttles => self.throttles,
            Column::AvgDuration => self.avg_ms,
            Column::MaxDuration => self.max_ms,
            Column::P99 => self.p99_ms,
            Column::Concurrency => self.peak_concurrency,
            Column::Modified => self
                .entry
                .function
                .last_modified
                .map(|t| t.timestamp() as f64),
            Column::Checks => crate::ui::checklist::fleet_sort_value(self.entry.checklist.as_ref()),
            Column::Name | Column::Region | Column::Runtime | Column::Routing => None,
        }
    }

    fn sort_text(&self, column: Column) -> Option<String> {
        match column {
            Column::Name => Some(self.entry.function.name.to_lowercase()),
            Column::Region => Some(self.entry.function.region.clone()),
            Column::Runtime => Some(self.entry.function.runtime_label()),
            Column::Routing => Some(self.routing_label()),
            _ => None,
        }
    }
}

/// The canary comparison looks at more history than the error column,
/// because a 10 % canary receives few invocations per minute.
pub const CANARY_MINUTES: i64 = 15;

/// A canary error rate at or above this share of invocations, and at least
/// `CANARY_RATIO` times the primary version's, marks the routing as hurting.
const CANARY_MIN_ERROR_RATE: f64 = 0.02;
const CANARY_RATIO: f64 = 3.0;
/// Below this many invocations a version's error rate is too noisy to judge.
const CANARY_MIN_INVOCATIONS: f64 = 20.0;

fn shown_alias(entry: &FunctionEntry) -> Option<&crate::model::Alias> {
    let aliases = entry.aliases.as_ref()?;
    aliases
        .iter()
        .find(|a| a.name == PREFERRED_ALIAS)
        .or_else(|| aliases.first())
}

/// Compares each extra version of the shown alias with its primary version.
fn canary_alert(entry: &FunctionEntry, since: DateTime<Utc>) -> Option<String> {
    let alias = shown_alias(entry).filter(|a| a.is_weighted())?;
    let version = |name: &str| {
        entry
            .version_metrics
            .iter()
            .find(|v| v.alias == alias.name && v.version == name)
    };
    let primary_rate = version(&alias.function_version).and_then(|v| v.error_rate_since(since));
    alias.routing.iter().find_map(|extra| {
        let metrics = version(&extra.version)?;
        let invocations = metrics.invocations.sum_since(since)?;
        let rate = metrics.error_rate_since(since)?;
        let worse = primary_rate.is_none_or(|primary| rate >= primary * CANARY_RATIO);
        (invocations >= CANARY_MIN_INVOCATIONS && rate >= CANARY_MIN_ERROR_RATE && worse).then(
            || {
                format!(
                    "v{} {} vs v{} {}",
                    extra.version,
                    super::format::percent(Some(rate)),
                    alias.function_version,
                    super::format::percent(primary_rate)
                )
            },
        )
    })
}

pub fn routing_label(entry: &FunctionEntry) -> String {
    let Some(aliases) = &entry.aliases else {
        return "…".to_string();
    };
    let alias = aliases
        .iter()
        .find(|a| a.name == PREFERRED_ALIAS)
        .or_else(|| aliases.first());
    let Some(alias) = alias else {
        return "no alias".to_string();
    };
    if !alias.is_weighted() {
        return format!("{} {}", alias.name, alias.function_version);
    }
    let split = alias
        .traffic_split()
        .iter()
        .map(|(version, weight)| format!("{version}:{:.0}%", weight * 100.0))
        .collect::<Vec<_>>()
        .join(" ");
    format!("{} {split}", alias.name)
}

/// A parsed `/` filter: every term must match. `tag:key=value` matches a tag
/// ignoring case, `tag:key` matches when the tag exists, and any other term
/// is a case-insensitive substring of the function name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Name(String),
    Tag { key: String, value: Option<String> },
}

impl Filter {
    pub fn parse(text: &str) -> Self {
        let terms = text
            .split_whitespace()
            .map(|term| match term.strip_prefix("tag:") {
                Some(tag) => match tag.split_once('=') {
                    Some((key, value)) => Term::Tag {
                        key: key.to_string(),
                        value: Some(value.to_string()),
                    },
                    None => Term::Tag {
                        key: tag.to_string(),
                        value: None,
                    },
                },
                None => Term::Name(term.to_lowercase()),
            })
            .collect();
        Self { terms }
    }

    pub fn matches(&self, entry: &FunctionEntry) -> bool {
        self.terms.iter().all(|term| match term {
            Term::Name(needle) => entry.function.name.to_lowercase().contains(needle),
            Term::Tag { key, value } => {
                // Tags are case-sensitive in AWS, but a filter typed in an
                // incident should not miss `Team=Payments` for `team=payments`.
                let tag = entry.tags.as_ref().and_then(|tags| {
                    tags.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(key))
                        .map(|(_, v)| v)
                });
                match (tag, value) {
                    (Some(actual), Some(expected)) => actual.eq_ignore_ascii_case(expected),
                    (Some(_), None) => true,
                    (None, _) => false,
                }
            }
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: Column,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Self {
            column: Column::Name,
            descending: false,
        }
    }
}

/// Rows that pass the filter, in sort order. Rows without a value for the
/// sort column go last in either direction, and ties keep name order.
pub fn fleet_rows<'a>(fleet: &'a Fleet, filter: &Filter, sort: Sort) -> Vec<FleetRow<'a>> {
    let mut rows: Vec<FleetRow<'a>> = fleet
        .entries()
        .filter(|entry| filter.matches(entry))
        .map(|entry| FleetRow::new(fleet, entry))
        .collect();
    rows.sort_by(|a, b| {
        let primary = match (a.sort_text(sort.column), b.sort_text(sort.column)) {
            (Some(x), Some(y)) => directed(x.cmp(&y), sort.descending),
            _ => match (a.sort_value(sort.column), b.sort_value(sort.column)) {
                (Some(x), Some(y)) => directed(x.total_cmp(&y), sort.descending),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
        };
        primary
            .then_with(|| a.entry.function.name.cmp(&b.entry.function.name))
            .then_with(|| a.entry.function.region.cmp(&b.entry.function.region))
    });
    rows
}

fn directed(ordering: Ordering, descending: bool) -> Ordering {
    if descending {
        ordering.reverse()
    } else {
        ordering
    }
}
