//! Plain-text fleet table for when standard output is not a terminal, such
//! as `anshin | less` or a cron job. No terminal size is needed.

use std::io::Write;

use chrono::Utc;

use crate::model::{Fleet, Source, SourceState};
use crate::ui::format;
use crate::ui::rows::{Filter, Sort, fleet_rows};

/// Writes one line per function and one per failed source.
pub fn write_fleet(fleet: &Fleet, out: &mut impl Write) -> std::io::Result<()> {
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
    if fleet.function_count() == 0 {
        writeln!(out, "no functions in {}", fleet.regions.join(", "))?;
    }
    for region in &fleet.regions {
        for source in [
            Source::Functions,
            Source::Aliases,
            Source::Versions,
            Source::Metrics,
            Source::Percentiles,
        ] {
            if let SourceState::Error { detail } = fleet.source_status(region, source).state {
                writeln!(out, "{region} {source}: {detail}")?;
            }
        }
    }
    let _ = now;
    Ok(())
}
