//! Plain-text fleet table for when standard output is not a terminal, such
//! as `anshin | less` or a cron job. No terminal size is needed.

use std::io::Write;

use chrono::Utc;

use crate::model::{Fleet, Source, SourceState};
use crate::ui::format;
use crate::ui::rows::{Filter, Sort, fleet_rows};

/// Writes one line per function to `out`, and one line per failed source to
/// `diagnostics`, so a pipe receives only the table.
pub fn write_fleet(
    fleet: &Fleet,
    out: &mut impl Write,
    diagnostics: &mut impl Write,
) -> std::io::Result<()> {
    let now = Utc::now();
    writeln!(
        out,
        "{:<40} {:<16} {:<20} {:>7} {:>7} {:>5} {:>8} {:>8}",
        "FUNCTION", "RUNTIME", "ROUTING", "INV 1h", "ERR 5m", "THR", "AVG", "MAX"
    )?;
    for row in fleet_rows(fleet, &Filter::default(), Sort::default()) {
        let function = &row.entry.function;
        let name = if fleet.regions.len() > 1 {
            format!("{}/{}", function.region, function.name)
        } else {
            function.name.clone()
        };
        writeln!(
            out,
            "{:<40} {:<16} {:<20} {:>7} {:>7} {:>5} {:>8} {:>8}",
            name,
            format::fit(&function.runtime_label(), 16),
            format::fit(&row.routing_label(), 20),
            format::count(row.invocations),
            format::percent(row.error_rate),
            format::count(row.throttles),
            format::millis(row.avg_ms),
            format::millis(row.max_ms),
        )?;
    }
    // "No functions" only for regions whose list was read: a failed read is
    // reported below, never as an empty region.
    for region in &fleet.regions {
        let loaded = fleet.functions_loaded(region);
        let empty = fleet.functions.get(region).is_none_or(|f| f.is_empty());
        if loaded && empty {
            writeln!(out, "no functions in {region}")?;
        }
    }
    for region in &fleet.regions {
        for source in [
            Source::Functions,
            Source::Aliases,
            Source::Versions,
            Source::Metrics,
            Source::Percentiles,
        ] {
            if let SourceState::Error { detail } | SourceState::Unsupported { detail } =
                fleet.source_status(region, source).state
            {
                writeln!(diagnostics, "{region} {source}: {detail}")?;
            }
        }
    }
    let _ = now;
    Ok(())
}
