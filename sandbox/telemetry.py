"""Encode simulated minutes as CloudWatch metrics, X-Ray segments and log events.

TelemetryWriter collects the output of one or more simulated minutes and
writes it in batches on flush(), so the three-hour backfill costs a few
hundred requests instead of tens of thousands.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterator

from botocore.exceptions import BotoCoreError, ClientError

import local_aws

if TYPE_CHECKING:
    from traffic import FunctionMinute, VersionMinute

NAMESPACE = "AWS/Lambda"
MAX_DATUMS_PER_CALL = 1000  # PutMetricData limit
SEGMENTS_PER_CALL = 50
MAX_LOG_EVENTS_PER_CALL = 10_000  # PutLogEvents limit

# Metric names written per dimension set. moto's GetMetricData scans every
# stored datapoint of the queried window once per query and period, so each
# extra series makes every fleet-wide query slower (sandbox/MEASUREMENTS.md
# has the numbers). Throttles is sparse: it is written only in minutes that
# had throttles.
METRICS_BY_LEVEL: dict[str, tuple[str, ...]] = {
    "function": ("Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions"),
    "alias": ("Invocations", "Errors", "Throttles", "Duration"),
    "version": ("Invocations", "Errors", "Duration"),
}
SPARSE_METRICS = {"Throttles"}
# Peaks of different functions rarely coincide, so the account-level maximum
# is below the sum of the per-function maxima.
ACCOUNT_PEAK_OVERLAP = 0.8

log = logging.getLogger("simulator.telemetry")

SeriesKey = tuple[str, frozenset[tuple[str, str]]]


@dataclass
class SeriesStats:
    """One minute of one metric series, as CloudWatch would aggregate it."""

    sum: float
    sample_count: float
    minimum: float
    maximum: float

    @classmethod
    def single(cls, value: float) -> "SeriesStats":
        return cls(value, 1, value, value)


@dataclass
class Totals:
    """Counts and durations summed over some versions of one function."""

    invocations: int = 0
    errors: int = 0
    throttles: int = 0
    durations_ms: list[float] = field(default_factory=list)

    @classmethod
    def of(cls, versions: list["VersionMinute"]) -> "Totals":
        totals = cls()
        for version in versions:
            totals.invocations += version.invocations
            totals.errors += version.errors
            totals.throttles += version.throttles
            totals.durations_ms.extend(version.durations_ms)
        return totals


@dataclass
class SampledInvocation:
    """One invocation picked for a trace and log lines."""

    version: str
    request_id: str
    trace_id: str
    start: float  # epoch seconds
    duration_ms: float
    init_ms: float  # 0 unless a cold start
    failed: bool
    timed_out: bool


def dimensions(name: str, resource: str | None = None, version: str | None = None) -> list[dict[str, str]]:
    result = [{"Name": "FunctionName", "Value": name}]
    if resource:
        result.append({"Name": "Resource", "Value": resource})
    if version:
        result.append({"Name": "ExecutedVersion", "Value": version})
    return result


def series_key(metric: str, dims: list[dict[str, str]]) -> SeriesKey:
    return metric, frozenset((d["Name"], d["Value"]) for d in dims)


def metric_stats(metric: str, totals: Totals, concurrency: int) -> SeriesStats | None:
    """Return the minute's statistics for `metric`, or None when nothing is written."""
    if metric == "Duration":
        samples = totals.durations_ms
        if not samples:
            return None
        return SeriesStats(sum(samples), len(samples), min(samples), max(samples))
    value = {
        "Invocations": totals.invocations,
        "Errors": totals.errors,
        "Throttles": totals.throttles,
        "ConcurrentExecutions": concurrency,
    }[metric]
    if metric in SPARSE_METRICS and value == 0:
        return None
    return SeriesStats.single(float(value))


def datum(metric: str, dims: list[dict[str, str]], minute: datetime, stats: SeriesStats) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "MetricName": metric,
        "Dimensions": dims,
        "Timestamp": minute,
        "Unit": "Milliseconds" if metric == "Duration" else "Count",
    }
    if metric == "Duration":
        # StatisticValues keeps one stored datapoint per minute; Values and
        # Counts would make moto store one datapoint per sample.
        entry["StatisticValues"] = {
            "SampleCount": stats.sample_count,
            "Sum": round(stats.sum, 2),
            "Minimum": round(stats.minimum, 2),
            "Maximum": round(stats.maximum, 2),
        }
    else:
        entry["Value"] = stats.sum
    return entry


class TelemetryWriter:
    """Buffers one region's telemetry and writes it to the endpoint on flush()."""

    def __init__(self, region: str) -> None:
        self.region = region
        self.cloudwatch = local_aws.client("cloudwatch", region)
        self.xray = local_aws.client("xray", region)
        self.logs = local_aws.client("logs", region)
        self.datums: list[dict[str, Any]] = []
        self.segments: list[str] = []
        self.log_events: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self.known_streams: set[tuple[str, str]] = set()
        self.failed_batches = 0

    # -- metrics ------------------------------------------------------------

    def add_minute(self, minute: datetime, results: list["FunctionMinute"],
                   with_traces_and_logs: bool = True,
                   always_logged: frozenset[str] = frozenset()) -> dict[SeriesKey, SeriesStats]:
        """Buffer the telemetry of one minute; return the metric series written.

        Functions named in `always_logged` get their log lines even when
        `with_traces_and_logs` is false.
        """
        series: dict[SeriesKey, SeriesStats] = {}
        for result in results:
            series.update(self._add_function_metrics(minute, result))
            if not with_traces_and_logs:
                if result.target.name in always_logged:
                    self._add_log_events(result, self._sample_invocations(result))
                continue
            sampled = self._sample_invocations(result)
            if result.target.tracing_active:
                self.segments.extend(self._trace_documents(result, sampled))
            self._add_log_events(result, sampled)

        peak = sum(result.concurrency for result in results) * ACCOUNT_PEAK_OVERLAP
        peak = max([peak] + [float(result.concurrency) for result in results])
        if peak > 0:
            stats = SeriesStats.single(float(math.ceil(peak)))
            self.datums.append(datum("ConcurrentExecutions", [], minute, stats))
            series[series_key("ConcurrentExecutions", [])] = stats
        return series

    def add_history_run(self, minute: datetime, result: "FunctionMinute") -> None:
        """Buffer one run of a scheduled job in the history: its metrics and
        log lines. No trace, and no account-level concurrency, since the
        other functions of that minute are written by the hour."""
        self._add_function_metrics(minute, result)
        self._add_log_events(result, self._sample_invocations(result))

    def add_history_hour(self, hour: datetime, function: str, invocations: int, errors: int,
                         throttles: int, duration: SeriesStats | None) -> None:
        """Buffer one hour of a function's history as function-level sums."""
        if invocations == 0 and throttles == 0:
            return
        dims = dimensions(function)
        self.datums.append(datum("Invocations", dims, hour, SeriesStats.single(float(invocations))))
        self.datums.append(datum("Errors", dims, hour, SeriesStats.single(float(errors))))
        if throttles:
            self.datums.append(datum("Throttles", dims, hour, SeriesStats.single(float(throttles))))
        if duration is not None:
            self.datums.append(datum("Duration", dims, hour, duration))

    def _add_function_metrics(self, minute: datetime, result: "FunctionMinute") -> dict[SeriesKey, SeriesStats]:
        target = result.target
        totals = Totals.of(result.versions)
        if totals.invocations == 0 and totals.throttles == 0:
            return {}  # Lambda writes nothing for a minute without requests.

        levels: list[tuple[str, list[dict[str, str]], Totals]] = [
            ("function", dimensions(target.name), totals),
        ]
        if target.alias:
            resource = f"{target.name}:{target.alias}"
            levels.append(("alias", dimensions(target.name, resource), totals))
            for version in result.versions:
                if version.invocations:
                    levels.append(("version", dimensions(target.name, resource, version.version), Totals.of([version])))

        written: dict[SeriesKey, SeriesStats] = {}
        for level, dims, level_totals in levels:
            for metric in METRICS_BY_LEVEL[level]:
                stats = metric_stats(metric, level_totals, result.concurrency)
                if stats is not None:
                    self.datums.append(datum(metric, dims, minute, stats))
                    written[series_key(metric, dims)] = stats
        return written

    # -- traces and logs ----------------------------------------------------

    @staticmethod
    def _sample_invocations(result: "FunctionMinute") -> list[SampledInvocation]:
        """Pick one or two invocations per version, failed and cold ones first.

        Real X-Ray sampling would rarely catch a failure of a 10 % canary; this
        bias makes the failing version visible in a handful of traces.
        """
        rng = random.Random(f"sample/{result.target.region}/{result.target.name}/{int(result.minute.timestamp())}")
        start_of_minute = result.minute.timestamp()
        sampled: list[SampledInvocation] = []
        for version in result.versions:
            if not version.invocations:
                continue
            count = min(version.invocations, 2 if version.share >= 0.5 else 1)
            for index in range(count):
                start = start_of_minute + rng.uniform(0.5, 55.0)
                timed_out = index == 0 and version.timeouts > 0
                failed = timed_out or (index == 0 and version.errors > 0)
                cold = index == 0 and version.cold_starts > 0
                duration = version.durations_ms[0] if timed_out else rng.choice(version.durations_ms)
                sampled.append(
                    SampledInvocation(
                        version=version.version,
                        request_id=str(_uuid(rng)),
                        trace_id=f"1-{int(start):08x}-{rng.getrandbits(96):024x}",
                        start=start,
                        duration_ms=duration,
                        init_ms=rng.uniform(0.6, 1.4) * version.init_ms if cold else 0.0,
                        failed=failed,
                        timed_out=timed_out,
                    )
                )
        return sampled

    def _trace_documents(self, result: "FunctionMinute", sampled: list[SampledInvocation]) -> Iterator[str]:
        rng = random.Random(f"xray/{result.target.region}/{result.target.name}/{int(result.minute.timestamp())}")
        for invocation in sampled:
            yield from (json.dumps(doc) for doc in lambda_segments(result, invocation, rng))

    def _add_log_events(self, result: "FunctionMinute", sampled: list[SampledInvocation]) -> None:
        target = result.target
        group = f"/aws/lambda/{target.name}"
        for invocation in sampled:
            stream = log_stream_name(target.name, invocation.version, result.minute)
            lines = report_lines(invocation, target.memory_mb, target.timeout_ms, target.tracing_active)
            emf = emf_line(target.name, invocation)
            if emf is not None:
                lines.append(emf)
            for offset_ms, message in lines:
                timestamp = int(invocation.start * 1000) + offset_ms
                self.log_events[(group, stream)].append({"timestamp": timestamp, "message": message})

    # -- writing ------------------------------------------------------------

    def flush(self) -> dict[str, int]:
        """Write everything buffered; return counts including failed batches."""
        counts = {
            "datums": len(self.datums),
            "segments": len(self.segments),
            "log_events": sum(len(events) for events in self.log_events.values()),
        }
        self._write_metrics()
        self._write_segments()
        self._write_logs()
        counts["failed_batches"] = self.failed_batches
        self.failed_batches = 0
        return counts

    def _call(self, description: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except (BotoCoreError, ClientError) as error:
            self.failed_batches += 1
            log.error("%s in %s failed: %s", description, self.region, error)
            return None

    def _write_metrics(self) -> None:
        datums, self.datums = self.datums, []
        for start in range(0, len(datums), MAX_DATUMS_PER_CALL):
            batch = datums[start:start + MAX_DATUMS_PER_CALL]
            self._call(
                f"PutMetricData of {len(batch)} datums",
                lambda: self.cloudwatch.put_metric_data(Namespace=NAMESPACE, MetricData=batch),
            )

    def _write_segments(self) -> None:
        segments, self.segments = self.segments, []
        for start in range(0, len(segments), SEGMENTS_PER_CALL):
            batch = segments[start:start + SEGMENTS_PER_CALL]
            response = self._call(
                f"PutTraceSegments of {len(batch)} segments",
                lambda: self.xray.put_trace_segments(TraceSegmentDocuments=batch),
            )
            if response and response.get("UnprocessedTraceSegments"):
                self.failed_batches += 1
                log.error("X-Ray rejected segments: %s", response["UnprocessedTraceSegments"][:3])

    def _write_logs(self) -> None:
        streams, self.log_events = self.log_events, defaultdict(list)
        for (group, stream), events in streams.items():
            if not self._ensure_stream(group, stream):
                continue
            events.sort(key=lambda event: event["timestamp"])
            for start in range(0, len(events), MAX_LOG_EVENTS_PER_CALL):
                batch = events[start:start + MAX_LOG_EVENTS_PER_CALL]
                self._call(
                    f"PutLogEvents of {len(batch)} events to {group} {stream}",
                    lambda: self.logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch),
                )

    def _ensure_stream(self, group: str, stream: str) -> bool:
        """Create the log stream (and group, if a function was added later)."""
        if (group, stream) in self.known_streams:
            return True
        for attempt in range(2):
            try:
                self.logs.create_log_stream(logGroupName=group, logStreamName=stream)
                break
            except ClientError as error:
                code = error.response["Error"]["Code"]
                if code == "ResourceAlreadyExistsException":
                    break
                if code == "ResourceNotFoundException" and attempt == 0:
                    self._call(f"CreateLogGroup {group}", lambda: self.logs.create_log_group(logGroupName=group))
                    continue
                self.failed_batches += 1
                log.error("CreateLogStream %s %s in %s failed: %s", group, stream, self.region, error)
                return False
            except BotoCoreError as error:
                self.failed_batches += 1
                log.error("CreateLogStream %s %s in %s failed: %s", group, stream, self.region, error)
                return False
        self.known_streams.add((group, stream))
        return True


# ---------------------------------------------------------------------------
# Document builders
# ---------------------------------------------------------------------------


def _uuid(rng: random.Random) -> str:
    value = f"{rng.getrandbits(128):032x}"
    return f"{value[:8]}-{value[8:12]}-4{value[13:16]}-a{value[17:20]}-{value[20:]}"


def _segment_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(64):016x}"


def downstream_subsegment(call: str, start: float, end: float, failed: bool, rng: random.Random) -> dict[str, Any]:
    """Build a subsegment for a downstream call written as "kind:target"."""
    kind, _, name = call.partition(":")
    subsegment: dict[str, Any] = {"id": _segment_id(rng), "start_time": start, "end_time": end}
    if kind == "http":
        status = 502 if failed else 200
        subsegment.update(
            name=name,
            namespace="remote",
            http={"request": {"method": "POST", "url": f"https://{name}/"}, "response": {"status": status}},
        )
    elif kind == "rds":
        subsegment.update(name=f"{name}@rds", namespace="remote", sql={"database_type": "PostgreSQL"})
    else:
        operations = {"dynamodb": ("DynamoDB", "PutItem", "table_name"),
                      "s3": ("S3", "GetObject", "bucket_name"),
                      "sqs": ("SQS", "SendMessage", "queue_url"),
                      "lambda": ("Lambda", "Invoke", "function_name"),
                      "ses": ("SES", name, "operation"),
                      "sns": ("SNS", name, "operation")}
        service, operation, resource_field = operations.get(kind, (kind.upper(), "Call", "resource"))
        subsegment.update(name=service, namespace="aws", aws={"operation": operation, resource_field: name})
    if failed:
        # moto's trace summaries report a fault when the key is present at
        # all, so it is only ever written as true.
        subsegment["fault"] = True
    return subsegment


def lambda_segments(result: "FunctionMinute", invocation: SampledInvocation, rng: random.Random) -> list[dict[str, Any]]:
    """Build the AWS::Lambda and AWS::Lambda::Function segments of one trace."""
    target = result.target
    qualifier = target.alias or invocation.version
    arn = f"{target.function_arn}:{qualifier}" if qualifier != "$LATEST" else target.function_arn
    init_s = invocation.init_ms / 1000
    start = invocation.start
    function_start = start + init_s + 0.002
    end = function_start + invocation.duration_ms / 1000
    service_id, function_id = _segment_id(rng), _segment_id(rng)

    service: dict[str, Any] = {
        "name": target.name, "id": service_id, "trace_id": invocation.trace_id,
        "start_time": start, "end_time": end + 0.001, "origin": "AWS::Lambda",
        "resource_arn": arn,
        "aws": {"request_id": invocation.request_id},
        "http": {"response": {"status": 200}},
    }
    subsegments: list[dict[str, Any]] = []
    if init_s:
        subsegments.append({"id": _segment_id(rng), "name": "Initialization", "start_time": start, "end_time": start + init_s})

    calls: list[dict[str, Any]] = []
    span = (end - function_start) / max(1, len(result.downstream))
    for index, call in enumerate(result.downstream):
        call_start = function_start + index * span
        failed = invocation.failed and not invocation.timed_out and index == len(result.downstream) - 1
        calls.append(downstream_subsegment(call, call_start, call_start + span * 0.8, failed, rng))
    subsegments.append({
        "id": _segment_id(rng), "name": "Invocation",
        "start_time": function_start, "end_time": end, "subsegments": calls,
    })
    subsegments.append({"id": _segment_id(rng), "name": "Overhead", "start_time": end, "end_time": end + 0.001})

    function: dict[str, Any] = {
        "name": target.name, "id": function_id, "trace_id": invocation.trace_id, "parent_id": service_id,
        "start_time": function_start, "end_time": end + 0.001, "origin": "AWS::Lambda::Function",
        "resource_arn": arn,
        "annotations": {"executed_version": invocation.version},
        "aws": {"function_arn": arn, "resource_names": [target.name], "account_id": local_aws.ACCOUNT_ID},
        "subsegments": subsegments,
    }
    if invocation.failed:
        message = "Task timed out" if invocation.timed_out else "Unhandled downstream error"
        function["fault"] = True
        function["cause"] = {"exceptions": [{"id": _segment_id(rng), "message": message, "type": "Error"}]}
        service["fault"] = True
        service["http"] = {"response": {"status": 500}}
    return [service, function]


def log_stream_name(function: str, version: str, minute: datetime) -> str:
    """Name a log stream like Lambda does; a new stream per version and hour represents a new environment."""
    digest = hashlib.md5(f"{function}/{version}/{minute:%Y%m%d%H}".encode()).hexdigest()
    return f"{minute:%Y/%m/%d}/[{version}]{digest}"


# Functions that publish custom metrics in the embedded metric format, with
# the version whose configuration lost the `environment` value. CloudWatch
# publishes a metric WITHOUT dimensions when a dimension value is empty, so
# the canary's OrdersPlaced data lands outside the dashboards' series.
EMF_FUNCTIONS = {"orders-api": "13"}


def emf_line(function: str, invocation: SampledInvocation) -> tuple[int, str] | None:
    """Return (offset in ms, message) for one EMF document, or None.

    The document is written for failed invocations too, with no order
    placed, as a metrics library that flushes at the end of every
    invocation does.
    """
    broken_version = EMF_FUNCTIONS.get(function)
    if broken_version is None:
        return None
    offset_ms = int(invocation.init_ms) + 1 + int(invocation.duration_ms)
    document = {
        "_aws": {
            "Timestamp": int(invocation.start * 1000) + offset_ms,
            "CloudWatchMetrics": [{
                "Namespace": "shop/orders",
                "Dimensions": [["environment", "service"]],
                "Metrics": [{"Name": "OrdersPlaced", "Unit": "Count"}],
            }],
        },
        "environment": "" if invocation.version == broken_version else "production",
        "service": function,
        "OrdersPlaced": [0 if invocation.failed else 1],
        "requestId": invocation.request_id,
    }
    return offset_ms, json.dumps(document) + "\n"


def report_lines(invocation: SampledInvocation, memory_mb: int, timeout_ms: int,
                 traced: bool) -> list[tuple[int, str]]:
    """Return (offset in ms, message) pairs for the START/END/REPORT lines."""
    rid = invocation.request_id
    duration = invocation.duration_ms
    run_start_ms = int(invocation.init_ms) + 1
    end_ms = run_start_ms + int(duration)
    stamp = datetime.fromtimestamp(invocation.start + end_ms / 2000, tz=timezone.utc)
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    lines = [(run_start_ms, f"START RequestId: {rid} Version: {invocation.version}\n")]
    if invocation.timed_out:
        seconds = timeout_ms / 1000
        lines.append((end_ms, f"{iso} {rid} Task timed out after {seconds:.2f} seconds\n"))
    elif invocation.failed:
        error = json.dumps({"errorType": "Error", "errorMessage": "Unhandled downstream error"})
        lines.append((end_ms - 1, f"{iso}\t{rid}\tERROR\tInvoke Error \t{error}\n"))
    else:
        lines.append((run_start_ms + 1, f"{iso}\t{rid}\tINFO\trequest handled\n"))
    lines.append((end_ms + 1, f"END RequestId: {rid}\n"))

    used_mb = min(memory_mb, int(memory_mb * 0.35) + 40)
    report = (
        f"REPORT RequestId: {rid}\tDuration: {duration:.2f} ms\tBilled Duration: {math.ceil(duration)} ms\t"
        f"Memory Size: {memory_mb} MB\tMax Memory Used: {used_mb} MB\t"
    )
    if invocation.init_ms:
        report += f"Init Duration: {invocation.init_ms:.2f} ms\t"
    if invocation.timed_out:
        report += "Status: timeout\t"
    if traced:
        segment_id = invocation.request_id.replace("-", "")[:16]
        report += f"\nXRAY TraceId: {invocation.trace_id}\tSegmentId: {segment_id}\tSampled: true"
    lines.append((end_ms + 2, report + "\n"))
    return lines
