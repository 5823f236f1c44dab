"""Traffic simulator for the sandbox: turns alias routing into telemetry.

Every minute, aligned to the minute boundary, it reads each function's
`live` alias routing from the Lambda API. It then simulates the minute that
just ended with the per-version behaviour in BEHAVIOUR and writes CloudWatch
metrics, X-Ray segments and log events for it. Routing is read again every
minute and never cached, so a weight change made with boto3, the AWS CLI or
the cockpit shows in the next minute's numbers. At start it writes a coarse
week of history (history.py) and backfills the last three hours minute by
minute, both with the routing read at start, then writes `ready` into the
run directory. The traffic model itself lives in traffic.py.

Endpoint errors are logged and the simulator carries on with the next minute.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

import local_aws
from alarms import AlarmEvaluator
from fleet import HOME_REGION, SECOND_REGION
from history import write_history
from telemetry import TelemetryWriter
from traffic import BEHAVIOUR, Target, read_targets, simulate_minute

REGIONS = (HOME_REGION, SECOND_REGION)
BACKFILL_MINUTES = 180
# Traces and log events are backfilled for the last hour only, because they
# cost memory in moto and a demo rarely looks at older traces.
TRACE_AND_LOG_BACKFILL_MINUTES = 60
# Seconds to wait after a minute boundary before writing that minute, so a
# routing change made at the boundary still lands in the minute it belongs to.
SETTLE_SECONDS = 2
# Minutes missed while the endpoint was unreachable or a minute overran are
# written late, up to this many; older ones stay empty.
CATCH_UP_MINUTES = 10
# Scheduled jobs run a few times an hour, so all their runs are logged, as
# the history does. Their REPORT lines of a whole day then count timeouts.
SCHEDULED_JOBS = frozenset(name for name, profile in BEHAVIOUR.items() if profile.every_minutes > 1)

log = logging.getLogger("simulator")


# ---------------------------------------------------------------------------
# Main loop
# ---------------------------------------------------------------------------


def floor_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def minute_range(first: datetime, last: datetime) -> list[datetime]:
    """Return the minutes from `first` to `last`, both included."""
    count = int((last - first).total_seconds() // 60) + 1
    return [first + timedelta(minutes=offset) for offset in range(max(0, count))]


class Simulator:
    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.writers = {region: TelemetryWriter(region) for region in REGIONS}
        self.alarms = {region: AlarmEvaluator(region) for region in REGIONS}
        # Last minute written per region.
        self.written_until: dict[str, datetime] = {}

    def write_minutes(self, region: str, targets: list[Target], minutes: list[datetime]) -> dict[str, int]:
        """Simulate and write `minutes` for `targets` of one region."""
        writer = self.writers[region]
        traces_from = minutes[-1] - timedelta(minutes=TRACE_AND_LOG_BACKFILL_MINUTES - 1)
        for minute in minutes:
            results = [simulate_minute(target, minute) for target in targets]
            series = writer.add_minute(minute, results, with_traces_and_logs=minute >= traces_from,
                                       always_logged=SCHEDULED_JOBS)
            self.alarms[region].record(minute, series)
        counts = writer.flush()
        self.alarms[region].evaluate(minutes[-1])
        return counts

    def backfill(self, minutes: int) -> dict[str, Any]:
        started = time.monotonic()
        last = floor_minute(datetime.now(timezone.utc)) - timedelta(minutes=1)
        window = minute_range(last - timedelta(minutes=minutes - 1), last)
        totals: dict[str, Any] = {"minutes": minutes, "failed_batches": 0}
        for region in REGIONS:
            targets = read_targets(region)
            history = write_history(self.writers[region], targets, window[0])
            log.info("history before %s in %s: %s", f"{window[0]:%H:%M}", region, history)
            for key in ("datums", "log_events", "failed_batches"):
                totals[f"history_{key}"] = totals.get(f"history_{key}", 0) + history[key]
            counts = self.write_minutes(region, targets, window)
            self.written_until[region] = last
            log.info("backfilled %d minutes for %d functions in %s: %s", minutes, len(targets), region, counts)
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + value
        totals["seconds"] = round(time.monotonic() - started, 1)
        return totals

    def write_pending(self, last_finished: datetime) -> None:
        """Write each region's minutes up to `last_finished` that are not written yet.

        A minute whose routing could not be read is retried on the next wake-up,
        at most CATCH_UP_MINUTES back. Errors are logged, not raised.
        """
        for region in REGIONS:
            oldest = max(self.written_until[region] + timedelta(minutes=1),
                         last_finished - timedelta(minutes=CATCH_UP_MINUTES - 1))
            minutes = minute_range(oldest, last_finished)
            if not minutes:
                continue
            label = f"{minutes[0]:%H:%M}" if len(minutes) == 1 else f"{minutes[0]:%H:%M}-{minutes[-1]:%H:%M}"
            started = time.monotonic()
            try:
                targets = read_targets(region)
                counts = self.write_minutes(region, targets, minutes)
            except (BotoCoreError, ClientError) as error:
                log.error("minute %s in %s not written, retrying at the next minute: %s", label, region, error)
                continue
            except Exception:  # noqa: BLE001 - the simulator must outlive any bug in one minute
                log.exception("minute %s in %s failed and is skipped", label, region)
                self.written_until[region] = last_finished
                continue
            self.written_until[region] = last_finished
            routing = {t.name: t.routing for t in targets if len(t.routing) > 1}
            log.info(
                "minute %s %s: %d functions, %s, canaries %s, %.2f s",
                label, region, len(targets), counts,
                json.dumps(routing, sort_keys=True), time.monotonic() - started,
            )

    def run_forever(self) -> None:
        while True:
            now = datetime.now(timezone.utc)
            next_boundary = floor_minute(now) + timedelta(minutes=1)
            time.sleep(max(0.0, (next_boundary - now).total_seconds() + SETTLE_SECONDS))
            self.write_pending(next_boundary - timedelta(minutes=1))


def write_ready(run_dir: Path, summary: dict[str, Any]) -> None:
    """Write the ready file atomically so a reader never sees half of it."""
    temporary = run_dir / "ready.tmp"
    temporary.write_text(json.dumps(summary) + "\n")
    temporary.replace(run_dir / "ready")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run-dir", type=Path, required=True,
                        help="directory for simulator.log and the ready file")
    parser.add_argument("--backfill-minutes", type=int, default=BACKFILL_MINUTES,
                        help="minutes of history to write at start (default: %(default)s)")
    return parser.parse_args()


def stop_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def main() -> int:
    arguments = parse_arguments()
    arguments.run_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        filename=arguments.run_dir / "simulator.log",
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    log.info("started; endpoint %s", local_aws.endpoint_url())

    simulator = Simulator(arguments.run_dir)
    try:
        summary = simulator.backfill(arguments.backfill_minutes)
    except (BotoCoreError, ClientError) as error:
        # Without the fleet's routing there is nothing to simulate. Exiting
        # lets sandbox/up report the failure instead of waiting for `ready`.
        log.error("backfill failed, cannot read the fleet: %s", error)
        return 1
    write_ready(arguments.run_dir, summary)
    log.info("ready: %s", summary)

    try:
        simulator.run_forever()
    finally:
        log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
