"""Seed what the cockpit's cost and concurrency views read: AWS Budgets
budgets with their calculated spend, 14 days of Lambda spend in Cost
Explorer, and a concurrency spike two days ago.

seed.py calls seed() once after the fleet exists. The planted problems are
listed in README.md ("Budgets, spend and the concurrency spike").
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, timezone
from typing import Any

import local_aws
from fleet import HOME_REGION
from seed_checklist import post_moto_api

ACCOUNT = local_aws.ACCOUNT_ID
SPEND_DAYS = 14
# moto hands each distinct GetCostAndUsage request the next queued result
# and repeats it for the same parameters, so a few copies serve the
# cockpit and the tests even when their date ranges differ.
CE_COPIES = 4

# Lambda's daily spend in USD, oldest day first. Day 6 has no spend at all
# (a zero day must not produce NaN or an infinite percentage), and the last
# days climb after the concurrency spike.
DAILY_SPEND_USD = [
    3.12, 3.05, 3.20, 2.98, 3.10, 0.0, 3.15,
    3.08, 3.22, 3.11, 3.40, 7.85, 4.10, 3.30,
]

# The spike: a backlog drained by the fulfilment worker, two days before the
# seed at 03:17 UTC, minute by minute.
SPIKE_DAYS_AGO = 2
SPIKE_MINUTE = (3, 17)
SPIKE_FUNCTIONS = {
    # name: (invocations per minute, average duration in ms)
    "order-fulfillment-worker": (6_000, 4_500.0),
    "email-sender": (3_000, 800.0),
}
SPIKE_MINUTES = 6

log = logging.getLogger("seed")


def budget(name: str, time_unit: str, limit: float, actual: float, forecast: float) -> dict[str, Any]:
    return {
        "BudgetName": name,
        "BudgetLimit": {"Amount": f"{limit:.2f}", "Unit": "USD"},
        "TimeUnit": time_unit,
        "BudgetType": "COST",
        "CalculatedSpend": {
            "ActualSpend": {"Amount": f"{actual:.2f}", "Unit": "USD"},
            "ForecastedSpend": {"Amount": f"{forecast:.2f}", "Unit": "USD"},
        },
    }


def seed_budgets() -> None:
    """Two monthly budgets and no daily one (COST-004 fails on purpose)."""
    client = local_aws.client("budgets", HOME_REGION)
    budgets = [
        # Over 80 % of the limit already spent.
        budget("shop-monthly", "MONTHLY", 500.0, 430.0, 480.0),
        # Under the limit so far, but the forecast is over it.
        budget("lambda-monthly", "MONTHLY", 100.0, 62.0, 131.0),
    ]
    for entry in budgets:
        client.create_budget(AccountId=ACCOUNT, Budget=entry)


def cost_and_usage_result(today: date) -> dict[str, Any]:
    """Return one GetCostAndUsage response with Lambda's UnblendedCost per day."""
    start = today - timedelta(days=SPEND_DAYS)
    days = []
    for offset, amount in enumerate(DAILY_SPEND_USD):
        day = start + timedelta(days=offset)
        days.append({
            "TimePeriod": {"Start": day.isoformat(), "End": (day + timedelta(days=1)).isoformat()},
            "Total": {"UnblendedCost": {"Amount": f"{amount:.10f}", "Unit": "USD"}},
            "Groups": [],
            # Cost Explorer marks the most recent day as not final.
            "Estimated": offset == SPEND_DAYS - 1,
        })
    return {"ResultsByTime": days, "DimensionValueAttributes": []}


def seed_cost_explorer() -> None:
    result = cost_and_usage_result(datetime.now(timezone.utc).date())
    post_moto_api(
        "/moto-api/static/ce/cost-and-usage-results",
        {"results": [result] * CE_COPIES, "account_id": ACCOUNT},
    )


def seed_concurrency_spike() -> None:
    """Write a clear account-level ConcurrentExecutions peak, and the
    per-function Invocations and Duration that explain it."""
    cloudwatch = local_aws.client("cloudwatch", HOME_REGION)
    now = datetime.now(timezone.utc)
    day = now - timedelta(days=SPIKE_DAYS_AGO)
    peak = day.replace(hour=SPIKE_MINUTE[0], minute=SPIKE_MINUTE[1], second=0, microsecond=0)
    datums: list[dict[str, Any]] = []
    for step in range(SPIKE_MINUTES):
        minute = peak - timedelta(minutes=SPIKE_MINUTES - 1 - step)
        # The spike builds up and tops out in its last minute.
        ramp = (step + 1) / SPIKE_MINUTES
        account_concurrency = 0.0
        for name, (per_minute, duration_ms) in SPIKE_FUNCTIONS.items():
            invocations = round(per_minute * ramp)
            concurrency = invocations / 60.0 * duration_ms / 1000.0
            account_concurrency += concurrency
            dims = [{"Name": "FunctionName", "Value": name}]
            datums.append({"MetricName": "Invocations", "Dimensions": dims, "Timestamp": minute,
                           "Value": float(invocations), "Unit": "Count"})
            datums.append({"MetricName": "Duration", "Dimensions": dims, "Timestamp": minute,
                           "StatisticValues": {"SampleCount": float(invocations),
                                               "Sum": invocations * duration_ms,
                                               "Minimum": duration_ms * 0.5,
                                               "Maximum": duration_ms * 2.0},
                           "Unit": "Milliseconds"})
            datums.append({"MetricName": "ConcurrentExecutions", "Dimensions": dims, "Timestamp": minute,
                           "Value": float(round(concurrency)), "Unit": "Count"})
        datums.append({"MetricName": "ConcurrentExecutions", "Dimensions": [], "Timestamp": minute,
                       "Value": float(round(account_concurrency)), "Unit": "Count"})
    for start in range(0, len(datums), 20):
        cloudwatch.put_metric_data(Namespace="AWS/Lambda", MetricData=datums[start:start + 20])
    log.info("planted a concurrency spike at %s", peak.strftime("%Y-%m-%d %H:%M UTC"))


def seed() -> None:
    seed_budgets()
    seed_cost_explorer()
    seed_concurrency_spike()
