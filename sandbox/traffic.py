"""The sandbox's traffic model: who calls each function, how each version
behaves, and one simulated minute of it.

The simulator writes these minutes as telemetry; history.py draws the
week before the backfill from the same table.
"""

from __future__ import annotations

import math
import random
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import local_aws
from fleet import ALIAS_NAME, HOME_REGION, SECOND_REGION


# ---------------------------------------------------------------------------
# Behaviour table
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionBehaviour:
    """Behaviour of one version of a function; rates are fractions of requests."""

    error_rate: float
    duration_ms: float  # median
    duration_spread: float = 0.35  # sigma of the log-normal duration
    throttle_rate: float = 0.0
    timeout_rate: float = 0.0  # counted as errors too
    cold_start_rate: float = 0.01
    init_ms: float = 250.0


@dataclass(frozen=True)
class TrafficProfile:
    """Traffic of one function and the behaviour of each of its versions.

    `requests_per_minute` is the daily average; scheduled jobs instead run
    that many invocations once every `every_minutes`. Versions missing from
    `versions` behave like `default`.
    """

    requests_per_minute: float
    default: VersionBehaviour
    versions: dict[str, VersionBehaviour] = field(default_factory=dict)
    every_minutes: int = 1
    # Minute of the day (UTC) of a daily job's run; None spreads jobs by name.
    run_at_minute: int | None = None
    downstream: tuple[str, ...] = ()

    def behaviour(self, version: str) -> VersionBehaviour:
        return self.versions.get(version, self.default)


VB = VersionBehaviour
TP = TrafficProfile

# One row per function. ap-northeast-1 functions share the row of their
# us-east-1 namesake and get REGION_TRAFFIC of its traffic.
BEHAVIOUR: dict[str, TrafficProfile] = {
    "orders-api": TP(240, VB(0.003, 120), versions={
        "12": VB(0.003, 120),
        "13": VB(0.08, 165, duration_spread=0.5),  # the failing canary
    }, downstream=("dynamodb:orders", "http:payments-api", "sqs:order-fulfillment")),
    "cart-api": TP(300, VB(0.002, 45), versions={
        "4": VB(0.002, 45),
        "5": VB(0.002, 40),  # healthy canary
    }, downstream=("dynamodb:carts",)),
    "catalog-api": TP(420, VB(0.001, 35, init_ms=420), downstream=("dynamodb:products",)),
    "payments-api": TP(90, VB(0.004, 650, duration_spread=0.4, init_ms=2600),
                       downstream=("http:psp.example", "lambda:fraud-scorer")),
    "users-api": TP(150, VB(0.002, 60), downstream=("dynamodb:users",)),
    "search-api": TP(380, VB(0.001, 18, init_ms=40), downstream=("http:search.internal.example",)),
    "checkout-api": TP(80, VB(0.006, 900, timeout_rate=0.001, init_ms=500), downstream=("http:api.shop.example",)),
    "reviews-api": TP(60, VB(0.004, 70), downstream=("dynamodb:reviews",)),
    "inventory-api": TP(110, VB(0.003, 210, throttle_rate=0.003, init_ms=2200), downstream=("rds:inventory",)),
    "shipping-api": TP(40, VB(0.01, 300, init_ms=90), downstream=("http:carrier.example",)),
    "auth-api": TP(200, VB(0.001, 25), downstream=("dynamodb:sessions",)),
    "recommendations-api": TP(120, VB(0.005, 450, throttle_rate=0.01, timeout_rate=0.004, init_ms=1800),
                              downstream=("s3:shop-ml-models",)),
    "admin-api": TP(2, VB(0.02, 150), downstream=("dynamodb:orders",)),
    "order-fulfillment-worker": TP(45, VB(0.004, 800), downstream=("dynamodb:inventory", "http:carrier.example")),
    "email-sender": TP(70, VB(0.002, 220), downstream=("ses:SendEmail",)),
    "inventory-sync": TP(25, VB(0.01, 1500, duration_spread=0.5), downstream=("dynamodb:inventory",)),
    "refund-processor": TP(3, VB(0.01, 900, init_ms=2400), downstream=("http:psp.example",)),
    "sms-notifier": TP(12, VB(0.003, 180), downstream=("sns:Publish",)),
    "webhook-dispatcher": TP(35, VB(0.03, 1200, duration_spread=0.6, timeout_rate=0.005),
                             downstream=("http:partner.example",)),
    # Scheduled jobs: one invocation per run, always a cold start.
    "nightly-report": TP(1, VB(0.0, 240_000, duration_spread=0.1, cold_start_rate=1.0),
                         every_minutes=1440, run_at_minute=120, downstream=("s3:shop-reports",)),
    "cleanup-carts": TP(1, VB(0.0, 40_000, duration_spread=0.2, cold_start_rate=1.0),
                        every_minutes=15, downstream=("dynamodb:carts",)),
    "price-feed-import": TP(1, VB(0.1, 95_000, duration_spread=0.3, timeout_rate=0.05, cold_start_rate=1.0),
                            every_minutes=30, downstream=("s3:shop-supplier-feeds",)),
    "sitemap-generator": TP(1, VB(0.0, 30_000, duration_spread=0.2, cold_start_rate=1.0),
                            every_minutes=60, downstream=("s3:shop-storefront",)),
    "abandoned-cart-reminder": TP(1, VB(0.0, 8_000, duration_spread=0.3, cold_start_rate=0.5),
                                  every_minutes=10, downstream=("dynamodb:carts", "sqs:email-outbox")),
    "orders-stream-projector": TP(60, VB(0.001, 90), downstream=("http:search.internal.example",)),
    "clickstream-consumer": TP(120, VB(0.0005, 300, init_ms=2000), downstream=("s3:shop-analytics",)),
    "image-resizer": TP(15, VB(0.01, 2200, init_ms=900), downstream=("s3:shop-product-images-resized",)),
    "audit-log-writer": TP(110, VB(0.0005, 30), downstream=("dynamodb:audit-log",)),
    "fraud-scorer": TP(90, VB(0.001, 140, init_ms=1100), downstream=("s3:shop-ml-models",)),
    "legacy-coupon-service": TP(20, VB(0.02, 900, timeout_rate=0.02, duration_spread=0.6),
                                downstream=("dynamodb:coupons",)),
    "orders-api-staging": TP(3, VB(0.02, 130, cold_start_rate=0.2), downstream=("dynamodb:orders-staging",)),
    "cart-api-staging": TP(2, VB(0.01, 50, cold_start_rate=0.2), downstream=("dynamodb:carts-staging",)),
    "thumbnail-cleanup": TP(1, VB(0.0, 500, cold_start_rate=0.3), downstream=("s3:shop-product-images-resized",)),
}
# Functions created after seeding (by tests or by hand) get this profile.
DEFAULT_PROFILE = TP(20, VB(0.002, 100))
REGION_TRAFFIC = {HOME_REGION: 1.0, SECOND_REGION: 0.25}


# ---------------------------------------------------------------------------
# Functions and their routing, as read from the endpoint
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A function as read from the endpoint this minute."""

    region: str
    name: str
    timeout_ms: int
    memory_mb: int
    tracing_active: bool
    function_arn: str
    # Alias the traffic goes through, or None when it reaches $LATEST.
    alias: str | None
    # Version -> share of traffic; the shares add up to 1.
    routing: dict[str, float]


def alias_routing(alias: dict[str, Any]) -> dict[str, float]:
    """Convert an alias into version shares: the main version gets the rest."""
    weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    shares = {version: float(weight) for version, weight in weights.items()}
    shares[alias["FunctionVersion"]] = max(0.0, 1.0 - sum(shares.values()))
    return shares


def latest_bound_functions(lam: Any) -> set[str]:
    """Names of functions whose event source mapping targets $LATEST.

    Their traffic bypasses the alias. NOTE: moto stores an alias-qualified
    mapping with the version ARN, so only unqualified ARNs are detectable.
    """
    names: set[str] = set()
    for page in lam.get_paginator("list_event_source_mappings").paginate():
        for mapping in page["EventSourceMappings"]:
            function_part = mapping["FunctionArn"].split(":function:", 1)[1]
            if ":" not in function_part:
                names.add(function_part)
    return names


def read_targets(region: str) -> list[Target]:
    """Read every function and its `live` alias routing in one region."""
    lam = local_aws.client("lambda", region)
    latest_bound = latest_bound_functions(lam)
    targets: list[Target] = []
    for page in lam.get_paginator("list_functions").paginate():
        for function in page["Functions"]:
            name = function["FunctionName"]
            aliases: list[dict[str, Any]] = []
            for alias_page in lam.get_paginator("list_aliases").paginate(FunctionName=name):
                aliases.extend(alias_page["Aliases"])
            live = next((a for a in aliases if a["Name"] == ALIAS_NAME), None)
            if live is None or name in latest_bound:
                alias, routing = None, {"$LATEST": 1.0}
            else:
                alias, routing = ALIAS_NAME, alias_routing(live)
            targets.append(
                Target(
                    region=region,
                    name=name,
                    timeout_ms=int(function.get("Timeout", 3)) * 1000,
                    memory_mb=int(function.get("MemorySize", 128)),
                    tracing_active=(function.get("TracingConfig") or {}).get("Mode") == "Active",
                    function_arn=function["FunctionArn"],
                    alias=alias,
                    routing=routing,
                )
            )
    return targets


# ---------------------------------------------------------------------------
# One simulated minute
# ---------------------------------------------------------------------------


@dataclass
class VersionMinute:
    """Outcome of one minute of traffic to one version."""

    version: str
    share: float
    init_ms: float  # initialization time of a cold start
    invocations: int = 0
    errors: int = 0
    throttles: int = 0
    timeouts: int = 0
    cold_starts: int = 0
    durations_ms: list[float] = field(default_factory=list)


@dataclass
class FunctionMinute:
    """Outcome of one minute of traffic to one function, split by version."""

    target: Target
    minute: datetime
    versions: list[VersionMinute]
    # Maximum concurrent executions during the minute (estimate).
    concurrency: int
    downstream: tuple[str, ...]

    @property
    def invocations(self) -> int:
        return sum(v.invocations for v in self.versions)


def poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    # Knuth's method: fine for the small means used here.
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def binomial(rng: random.Random, trials: int, probability: float) -> int:
    if probability <= 0 or trials <= 0:
        return 0
    return sum(1 for _ in range(trials) if rng.random() < probability)


def traffic_wave(minute: datetime) -> float:
    """Daily wave (peak 19:00 UTC, trough 07:00) times a small hourly wave."""
    hour = minute.hour + minute.minute / 60
    daily = 1 + 0.4 * math.sin(2 * math.pi * (hour - 13) / 24)
    hourly = 1 + 0.08 * math.sin(2 * math.pi * minute.minute / 60)
    return daily * hourly


def traffic_factor(minute: datetime, rng: random.Random) -> float:
    """Return the traffic wave of `minute` times random noise."""
    return max(0.0, traffic_wave(minute) * rng.gauss(1.0, 0.08))


def requests_this_minute(profile: TrafficProfile, target: Target, minute: datetime, rng: random.Random) -> int:
    """Return the number of requests (before throttling) in `minute`."""
    scale = REGION_TRAFFIC.get(target.region, 1.0)
    if profile.every_minutes > 1:
        minute_of_day = minute.hour * 60 + minute.minute
        offset = profile.run_at_minute
        if offset is None:
            offset = zlib.crc32(target.name.encode()) % profile.every_minutes
        runs = minute_of_day % profile.every_minutes == offset % profile.every_minutes
        return round(profile.requests_per_minute) if runs else 0
    return poisson(rng, profile.requests_per_minute * scale * traffic_factor(minute, rng))


def simulate_version(version: str, share: float, requests: int, behaviour: VersionBehaviour,
                     timeout_ms: int, rng: random.Random) -> VersionMinute:
    outcome = VersionMinute(version=version, share=share, init_ms=behaviour.init_ms)
    outcome.throttles = binomial(rng, requests, behaviour.throttle_rate)
    outcome.invocations = requests - outcome.throttles
    outcome.timeouts = binomial(rng, outcome.invocations, behaviour.timeout_rate)
    failures = binomial(rng, outcome.invocations - outcome.timeouts, behaviour.error_rate)
    outcome.errors = failures + outcome.timeouts
    outcome.cold_starts = binomial(rng, outcome.invocations, behaviour.cold_start_rate)

    mu = math.log(behaviour.duration_ms)
    for index in range(outcome.invocations):
        if index < outcome.timeouts:
            outcome.durations_ms.append(float(timeout_ms))
        else:
            sample = rng.lognormvariate(mu, behaviour.duration_spread)
            outcome.durations_ms.append(min(sample, timeout_ms * 0.98))
    return outcome


def split_requests(requests: int, routing: dict[str, float], rng: random.Random) -> dict[str, int]:
    """Send each request to a version drawn by the routing weights."""
    versions = list(routing)
    weights = [routing[v] for v in versions]
    counts = dict.fromkeys(versions, 0)
    if requests and sum(weights) > 0:
        for version in rng.choices(versions, weights=weights, k=requests):
            counts[version] += 1
    return counts


def estimate_concurrency(versions: list[VersionMinute], rng: random.Random) -> int:
    """Estimate peak concurrency as requests per second times average duration."""
    invocations = sum(v.invocations for v in versions)
    if invocations == 0:
        return 0
    busy_seconds = sum(sum(v.durations_ms) for v in versions) / 1000
    average = busy_seconds / 60
    peak = math.ceil(average * rng.uniform(1.2, 1.6))
    return max(1, min(peak, invocations))


def simulate_minute(target: Target, minute: datetime) -> FunctionMinute:
    seed = f"{target.region}/{target.name}/{int(minute.timestamp())}"
    rng = random.Random(seed)
    profile = BEHAVIOUR.get(target.name, DEFAULT_PROFILE)
    requests = requests_this_minute(profile, target, minute, rng)
    split = split_requests(requests, target.routing, rng)
    versions = [
        simulate_version(version, target.routing[version], count,
                         profile.behaviour(version), target.timeout_ms, rng)
        for version, count in split.items()
    ]
    return FunctionMinute(
        target=target,
        minute=minute,
        versions=versions,
        concurrency=estimate_concurrency(versions, rng),
        downstream=profile.downstream,
    )
