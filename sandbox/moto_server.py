"""Start moto's server with an indexed GetMetricData.

moto 5.2.5 computes each GetMetricData query by scanning every stored
datapoint once per period, so once the simulator has written three hours of
metrics, a fleet query over an hour of one-minute data takes seconds per
handful of series (measured here: 7 queries 2.5 s, 70 queries 17 s, 231
queries over 60 s). This
launcher replaces that one method with a version that groups the window's
datapoints by metric once per call and buckets them by period, and leaves
every other part of moto as it is. Queries with expressions still go to
moto's own implementation.

Matching follows CloudWatch: a query matches datapoints with the same
namespace, metric name, exact dimension set and, when given, unit. (moto's
own code ignores dimensions when a query has none, and the namespace when
it has some.)
"""

from __future__ import annotations

import sys
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from moto.cloudwatch import models
from moto.cloudwatch.exceptions import ValidationError
from moto.server import main

_original_get_metric_data = models.CloudWatchBackend.get_metric_data


def _metric_key(namespace: str, name: str, dimensions: Any) -> tuple:
    pairs = sorted((d.name, d.value) for d in dimensions)
    return (namespace, name, tuple(pairs))


def _query_key(metric: dict[str, Any]) -> tuple:
    pairs = sorted((d["Name"], d["Value"]) for d in metric.get("Dimensions", []))
    return (metric["Namespace"], metric["MetricName"], tuple(pairs))


def _result(query: dict[str, Any], values: list, timestamps: list) -> dict[str, Any]:
    metric_stat = query["MetricStat"]
    label = query.get("Label") or f"{metric_stat['Metric']['MetricName']} {metric_stat['Stat']}"
    return {
        "id": query["Id"],
        "label": label,
        "values": values,
        "timestamps": timestamps,
        "status_code": "Complete",
    }


def get_metric_data(
    self: models.CloudWatchBackend,
    queries: list[dict[str, Any]],
    start_time: datetime,
    end_time: datetime,
    scan_by: str = "TimestampAscending",
) -> list[dict[str, Any]]:
    if any("MetricStat" not in query for query in queries):
        return _original_get_metric_data(self, queries, start_time, end_time, scan_by)

    start_time = start_time.replace(microsecond=0)
    end_time = end_time.replace(microsecond=0)
    if start_time > end_time:
        raise ValidationError("The parameter EndTime must be greater than StartTime.")
    if start_time == end_time:
        raise ValidationError("The parameter StartTime must not equal parameter EndTime.")

    # One pass over the stored data per call, instead of one per query and
    # period.
    by_metric: dict[tuple, list] = defaultdict(list)
    for datum in self.get_all_metrics():
        if start_time <= datum.timestamp < end_time:
            by_metric[_metric_key(datum.namespace, datum.name, datum.dimensions)].append(datum)

    results = []
    for query in queries:
        metric_stat = query["MetricStat"]
        period = timedelta(seconds=int(metric_stat["Period"]))
        stat = metric_stat["Stat"]
        unit = metric_stat.get("Unit")

        buckets: dict[int, list] = defaultdict(list)
        for datum in by_metric.get(_query_key(metric_stat["Metric"]), []):
            if unit and datum.unit != unit:
                continue
            buckets[(datum.timestamp - start_time) // period].append(datum)

        values: list = []
        timestamps: list = []
        for index in sorted(buckets):
            bucket_start = start_time + index * period
            stats = models.Statistics([stat], bucket_start)
            stats.metric_data = buckets[index]
            # Raises for percentiles, as moto itself does.
            values.append(stats.get_statistics_for_type(stat))
            timestamps.append(stats.timestamp)
        if scan_by == "TimestampDescending":
            values.reverse()
            timestamps.reverse()

        if query.get("ReturnData", True):
            results.append(_result(query, values, timestamps))
    return results


models.CloudWatchBackend.get_metric_data = get_metric_data  # type: ignore[method-assign]

if __name__ == "__main__":
    main(sys.argv[1:])
