"""Time fleet-wide GetMetricData calls against a running sandbox.

Builds the fleet view's query set (six statistics per us-east-1 function on
the {FunctionName} dimension, about 200 queries) and a 450-query set that adds
alias-level queries, then times one call per window length.

    set -a; . sandbox/.run/env; set +a
    sandbox/.venv/bin/python sandbox/bench_get_metric_data.py --minutes 15 30 60

Wide windows keep moto busy for a long time (see MEASUREMENTS.md); a call
that exceeds the client's read timeout goes on running inside moto.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import local_aws
from fleet import HOME_REGION

STATISTICS = [
    ("Invocations", "Sum"),
    ("Errors", "Sum"),
    ("Throttles", "Sum"),
    ("Duration", "Average"),
    ("Duration", "Maximum"),
    ("ConcurrentExecutions", "Maximum"),
]


def function_names() -> list[str]:
    lam = local_aws.client("lambda", HOME_REGION)
    return [f["FunctionName"] for page in lam.get_paginator("list_functions").paginate() for f in page["Functions"]]


def build_queries(names: list[str], count: int, period: int) -> list[dict[str, Any]]:
    """Return `count` queries: the {FunctionName} set first, then alias-level ones."""
    queries: list[dict[str, Any]] = []
    per_round = len(names) * len(STATISTICS)
    for index in range(count):
        name = names[index % len(names)]
        metric, statistic = STATISTICS[(index // len(names)) % len(STATISTICS)]
        dimensions = [{"Name": "FunctionName", "Value": name}]
        if index >= per_round:
            dimensions.append({"Name": "Resource", "Value": f"{name}:live"})
        queries.append({
            "Id": f"q{index}",
            "MetricStat": {
                "Metric": {"Namespace": "AWS/Lambda", "MetricName": metric, "Dimensions": dimensions},
                "Period": period,
                "Stat": statistic,
            },
        })
    return queries


def time_call(queries: list[dict[str, Any]], minutes: int) -> tuple[float, int]:
    """Return the seconds one GetMetricData call took and the datapoints it returned."""
    # One attempt: a retry of a timed-out call would repeat the load.
    cloudwatch = local_aws.client("cloudwatch", HOME_REGION, max_attempts=1)
    end = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    started = time.perf_counter()
    response = cloudwatch.get_metric_data(
        MetricDataQueries=queries, StartTime=end - timedelta(minutes=minutes), EndTime=end
    )
    points = sum(len(result["Values"]) for result in response["MetricDataResults"])
    return time.perf_counter() - started, points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, nargs="+", default=[15, 30, 60],
                        help="window lengths in minutes, ending at the current minute")
    parser.add_argument("--period", type=int, default=60, help="query period in seconds")
    arguments = parser.parse_args()

    names = function_names()
    for minutes in arguments.minutes:
        for count in (len(names) * len(STATISTICS), 450):
            seconds, points = time_call(build_queries(names, count, arguments.period), minutes)
            print(f"{minutes:4d} min window, period {arguments.period} s, {count} queries: "
                  f"{seconds:6.2f} s, {points} datapoints")


if __name__ == "__main__":
    main()
