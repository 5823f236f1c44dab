"""Evaluate CloudWatch alarms from the simulator's own metric values.

moto 5.2.5 stores alarms but never evaluates them, so without this an alarm
would stay in its initial state whatever the metrics do, and an
alarm-guarded rollback could not be demonstrated. Only what the simulator
writes is evaluated: AWS/Lambda alarms with a 60-second period, a plain
statistic and dimensions of a series it wrote recently. Other alarms are left
alone.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

import local_aws
from telemetry import NAMESPACE, SeriesKey, SeriesStats

HISTORY_MINUTES = 60
STATISTICS = {
    "Sum": lambda s: s.sum,
    "SampleCount": lambda s: s.sample_count,
    "Minimum": lambda s: s.minimum,
    "Maximum": lambda s: s.maximum,
    "Average": lambda s: s.sum / s.sample_count if s.sample_count else 0.0,
}
COMPARISONS = {
    "GreaterThanThreshold": lambda value, threshold: value > threshold,
    "GreaterThanOrEqualToThreshold": lambda value, threshold: value >= threshold,
    "LessThanThreshold": lambda value, threshold: value < threshold,
    "LessThanOrEqualToThreshold": lambda value, threshold: value <= threshold,
}

log = logging.getLogger("simulator.alarms")


class AlarmEvaluator:
    """Keeps the last hour of written series and sets alarm states from it."""

    def __init__(self, region: str) -> None:
        self.region = region
        self.cloudwatch = local_aws.client("cloudwatch", region)
        self.history: dict[SeriesKey, dict[datetime, SeriesStats]] = {}
        # Alarms whose state this evaluator has set at least once.
        self.evaluated: set[str] = set()

    def record(self, minute: datetime, series: dict[SeriesKey, SeriesStats]) -> None:
        for key, stats in series.items():
            self.history.setdefault(key, {})[minute] = stats
        oldest = minute - timedelta(minutes=HISTORY_MINUTES)
        for values in self.history.values():
            for stale in [m for m in values if m < oldest]:
                del values[stale]

    def evaluate(self, minute: datetime) -> None:
        """Set the state of every alarm this evaluator can judge; log errors."""
        try:
            for alarm in self._metric_alarms():
                self._evaluate_alarm(alarm, minute)
        except (BotoCoreError, ClientError) as error:
            log.error("alarm evaluation in %s failed: %s", self.region, error)

    def _metric_alarms(self) -> list[dict[str, Any]]:
        alarms: list[dict[str, Any]] = []
        for page in self.cloudwatch.get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm"]):
            alarms.extend(page.get("MetricAlarms", []))
        return alarms

    def _evaluate_alarm(self, alarm: dict[str, Any], minute: datetime) -> None:
        statistic = STATISTICS.get(alarm.get("Statistic", ""))
        compare = COMPARISONS.get(alarm.get("ComparisonOperator", ""))
        if alarm.get("Namespace") != NAMESPACE or alarm.get("Period") != 60 or not statistic or not compare:
            return
        key: SeriesKey = (
            alarm["MetricName"],
            frozenset((d["Name"], d["Value"]) for d in alarm.get("Dimensions", [])),
        )
        values = self.history.get(key)
        if values is None:
            return  # Not a series the simulator writes.

        periods = int(alarm.get("EvaluationPeriods", 1))
        needed = int(alarm.get("DatapointsToAlarm") or periods)
        missing_breaches = alarm.get("TreatMissingData") == "breaching"
        breaching = 0
        for offset in range(periods):
            stats = values.get(minute - timedelta(minutes=offset))
            if stats is None:
                breaching += missing_breaches
            elif compare(statistic(stats), alarm["Threshold"]):
                breaching += 1

        state = "ALARM" if breaching >= needed else "OK"
        # moto creates alarms in OK with an "Unchecked" reason. The first
        # evaluation writes the state even when it is unchanged, as AWS does
        # when an alarm leaves INSUFFICIENT_DATA.
        if state == alarm.get("StateValue") and alarm["AlarmName"] in self.evaluated:
            return
        reason = (
            f"Sandbox simulator: {breaching} of the last {periods} datapoints "
            f"breached the threshold {alarm['Threshold']:g} (minimum {needed} to alarm)"
        )
        self.cloudwatch.set_alarm_state(AlarmName=alarm["AlarmName"], StateValue=state, StateReason=reason)
        self.evaluated.add(alarm["AlarmName"])
        if state == alarm.get("StateValue"):
            return
        log.info("alarm %s in %s: %s -> %s", alarm["AlarmName"], self.region, alarm.get("StateValue"), state)
