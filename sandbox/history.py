"""A week of history before the simulator's minute-by-minute backfill.

The checklist grades each function's error and timeout rate per whole UTC
day of the last seven (COST-001, COST-002), and leaves out today. A
three-hour backfill covers no earlier day once the sandbox starts after
03:00 UTC, so those rules would stay Unknown for most of the day.

Writing every minute of a week would cost moto about fifty times the
memory of the backfill and slow every GetMetricData call, since moto scans
all stored datapoints per call. The history is therefore coarse:

- Functions with steady traffic get one function-level datapoint per hour
  of Invocations, Errors, Throttles and Duration, drawn from the same
  behaviour table and daily wave as the live minutes.
- Scheduled jobs run a few dozen times a day, so each run is simulated
  like a live minute and written with its metrics and START/END/REPORT log
  lines, but no trace. Their REPORT lines of yesterday are then whole, as
  the timeout count of COST-002 needs.

Alias and version series, account-level concurrency, traces and the log
lines of steady functions keep to the backfill window.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from traffic import (
    BEHAVIOUR,
    DEFAULT_PROFILE,
    REGION_TRAFFIC,
    Target,
    TrafficProfile,
    poisson,
    requests_this_minute,
    simulate_minute,
    traffic_wave,
)
from telemetry import SeriesStats, TelemetryWriter

# Whole UTC days before today; matches DAILY_WINDOW_DAYS in
# src/aws/daily_metrics.rs.
HISTORY_DAYS = 7


@dataclass
class HourTotals:
    """One hour (or the part of it before the backfill) of one function."""

    invocations: int = 0
    errors: int = 0
    throttles: int = 0
    duration: SeriesStats | None = None


def history_start(backfill_start: datetime) -> datetime:
    """Return midnight UTC `HISTORY_DAYS` days before the backfill's first day."""
    midnight = backfill_start.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - timedelta(days=HISTORY_DAYS)


def hour_starts(start: datetime, end: datetime) -> list[datetime]:
    """Return the hours from `start` up to, not including, `end`."""
    count = math.ceil((end - start).total_seconds() / 3600)
    return [start + timedelta(hours=offset) for offset in range(max(0, count))]


def hour_totals(profile: TrafficProfile, target: Target, hour: datetime, minutes: int) -> HourTotals:
    """Draw one hour of a steadily invoked function from its behaviour.

    The expected request count follows the daily wave minute by minute. The
    counts per version are drawn around their expected values, so the error
    share varies from hour to hour as it does in the live minutes.
    """
    rng = random.Random(f"history/{target.region}/{target.name}/{int(hour.timestamp())}")
    scale = REGION_TRAFFIC.get(target.region, 1.0)
    expected = sum(
        profile.requests_per_minute * scale * traffic_wave(hour + timedelta(minutes=offset))
        for offset in range(minutes)
    )
    requests = poisson(rng, expected * rng.gauss(1.0, 0.03))

    totals = HourTotals()
    duration_sum = 0.0
    shortest, longest = math.inf, 0.0
    for version, share in target.routing.items():
        behaviour = profile.behaviour(version)
        version_requests = round(requests * share)
        throttles = min(version_requests, poisson(rng, version_requests * behaviour.throttle_rate))
        invocations = version_requests - throttles
        timeouts = min(invocations, poisson(rng, invocations * behaviour.timeout_rate))
        failures = min(invocations - timeouts, poisson(rng, (invocations - timeouts) * behaviour.error_rate))
        totals.invocations += invocations
        totals.throttles += throttles
        totals.errors += failures + timeouts
        if invocations == 0:
            continue

        # The mean of the log-normal duration, capped like a live sample.
        spread = behaviour.duration_spread
        mean = min(behaviour.duration_ms * math.exp(spread * spread / 2), target.timeout_ms * 0.98)
        duration_sum += (invocations - timeouts) * mean + timeouts * target.timeout_ms
        shortest = min(shortest, behaviour.duration_ms * math.exp(-2.5 * spread))
        longest = max(longest, target.timeout_ms if timeouts else
                      min(behaviour.duration_ms * math.exp(3 * spread), target.timeout_ms * 0.98))
    if totals.invocations:
        totals.duration = SeriesStats(duration_sum, totals.invocations, shortest, longest)
    return totals


def run_minutes(profile: TrafficProfile, target: Target, start: datetime, end: datetime) -> list[datetime]:
    """Return the minutes in [start, end) in which a scheduled job runs."""
    minutes = []
    minute = start
    while minute < end:
        # The schedule check draws nothing from the generator for scheduled
        # jobs, so any seed will do.
        if requests_this_minute(profile, target, minute, random.Random(0)) > 0:
            minutes.append(minute)
        minute += timedelta(minutes=1)
    return minutes


def write_history(writer: TelemetryWriter, targets: list[Target], backfill_start: datetime) -> dict[str, int]:
    """Write the week before `backfill_start` for `targets` of one region."""
    start = history_start(backfill_start)
    hours = hour_starts(start, backfill_start)
    runs = 0
    for target in targets:
        profile = BEHAVIOUR.get(target.name, DEFAULT_PROFILE)
        if profile.every_minutes > 1:
            for minute in run_minutes(profile, target, start, backfill_start):
                writer.add_history_run(minute, simulate_minute(target, minute))
                runs += 1
            continue
        for hour in hours:
            minutes = min(60, int((backfill_start - hour).total_seconds() // 60))
            totals = hour_totals(profile, target, hour, minutes)
            writer.add_history_hour(hour, target.name, totals.invocations, totals.errors,
                                    totals.throttles, totals.duration)
    counts = writer.flush()
    counts["history_hours"] = len(hours)
    counts["scheduled_runs"] = runs
    return counts
