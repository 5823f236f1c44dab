"""The demo fleet: a small online shop's Lambda functions, as one table.

seed.py creates everything in FLEET through the AWS APIs. The traffic
simulator does not read this table: it reads the functions and their alias
routing from the endpoint, so changes made with boto3, the AWS CLI or the
cockpit show up in the next minute's metrics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Union

HOME_REGION = "us-east-1"
SECOND_REGION = "ap-northeast-1"
ALIAS_NAME = "live"

Kind = Literal["api", "sqs-worker", "scheduled", "stream", "s3", "eventbridge", "internal"]


@dataclass(frozen=True)
class Routing:
    """Alias routing: `version` gets the traffic that `canary_version` does not."""

    version: int
    canary_version: int | None = None
    canary_weight: float = 0.0


@dataclass(frozen=True)
class ApiTrigger:
    """API Gateway REST route; seeding adds an apigateway.amazonaws.com permission."""

    method: str
    path: str


@dataclass(frozen=True)
class SqsTrigger:
    """SQS event source mapping; `max_concurrency` None leaves ScalingConfig unset."""

    queue: str
    max_concurrency: int | None
    batch_size: int = 10


@dataclass(frozen=True)
class ScheduleTrigger:
    """EventBridge schedule rule that invokes the function asynchronously."""

    rule: str
    expression: str


@dataclass(frozen=True)
class EventPatternTrigger:
    """EventBridge rule matching an event pattern; invokes asynchronously."""

    rule: str
    source: str


@dataclass(frozen=True)
class StreamTrigger:
    """DynamoDB or Kinesis stream event source mapping."""

    source: Literal["dynamodb", "kinesis"]
    name: str
    batch_size: int = 100


@dataclass(frozen=True)
class S3Trigger:
    """S3 object-created notification; invokes asynchronously."""

    bucket: str


Trigger = Union[ApiTrigger, SqsTrigger, ScheduleTrigger, EventPatternTrigger, StreamTrigger, S3Trigger]


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    kind: Kind
    # None means a container image function (PackageType=Image).
    runtime: str | None
    memory_mb: int
    timeout_s: int
    description: str
    service: str
    team: str
    env: str = "prod"
    region: str = HOME_REGION
    # Number of published versions; 0 leaves only $LATEST.
    versions: int = 1
    live: Routing | None = None
    trigger: Trigger | None = None
    # Binds the trigger to the unqualified function ($LATEST) even when a
    # `live` alias exists.
    trigger_on_latest: bool = False
    tracing_active: bool = True
    reserved_concurrency: int | None = None
    vpc: Literal["multi-az", "single-az"] | None = None
    url_auth: Literal["AWS_IAM", "NONE"] | None = None
    # SQS queue names for asynchronous failures. moto 5.2.5 accepts but
    # drops DeadLetterConfig, so only `on_failure` is visible through the API.
    dlq: str | None = None
    on_failure: str | None = None
    # Adds a resource policy statement with Principal "*" and no condition.
    public_policy: bool = False
    env_vars: dict[str, str] = field(default_factory=dict)
    # None means the log group never expires.
    log_retention_days: int | None = 30

    @property
    def trigger_qualifier(self) -> str | None:
        """Return the qualifier the trigger invokes, or None for $LATEST."""
        if self.live is None or self.trigger_on_latest:
            return None
        return ALIAS_NAME


def _secret(name: str) -> str:
    return f"arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/{name}"


FLEET: list[FunctionSpec] = [
    # REST API handlers behind API Gateway.
    FunctionSpec(
        "orders-api", "api", "python3.12", 1024, 15,
        "Create, read and cancel orders", "orders", "checkout",
        versions=13, live=Routing(12, 13, 0.10), trigger=ApiTrigger("ANY", "/orders/*"),
        reserved_concurrency=200, vpc="multi-az",
        env_vars={"TABLE_NAME": "orders", "LOG_LEVEL": "INFO", "POWERTOOLS_SERVICE_NAME": "orders"},
    ),
    FunctionSpec(
        "cart-api", "api", "nodejs20.x", 512, 10,
        "Shopping cart reads and writes", "cart", "checkout",
        versions=5, live=Routing(4, 5, 0.05), trigger=ApiTrigger("ANY", "/cart/*"),
        vpc="multi-az", env_vars={"TABLE_NAME": "carts", "NODE_OPTIONS": "--enable-source-maps"},
    ),
    FunctionSpec(
        "catalog-api", "api", "nodejs20.x", 1024, 6,
        "Product catalogue reads", "catalog", "merchandising",
        versions=8, live=Routing(8), trigger=ApiTrigger("GET", "/products/*"),
        env_vars={"TABLE_NAME": "products", "CACHE_TTL_SECONDS": "60"},
    ),
    FunctionSpec(
        "payments-api", "api", "java21", 2048, 30,
        "Card payments and payment status", "payments", "payments",
        versions=6, live=Routing(6), trigger=ApiTrigger("POST", "/payments"),
        reserved_concurrency=100, vpc="multi-az",
        env_vars={"PSP_API_KEY_SECRET_ARN": _secret("psp-api-key"), "JAVA_TOOL_OPTIONS": "-XX:+TieredCompilation"},
    ),
    FunctionSpec(
        "users-api", "api", "python3.12", 512, 10,
        "Customer accounts and addresses", "users", "identity",
        versions=4, live=Routing(4), trigger=ApiTrigger("ANY", "/users/*"),
        env_vars={"TABLE_NAME": "users"},
    ),
    FunctionSpec(
        "search-api", "api", "provided.al2023", 256, 5,
        "Full-text product search", "search", "merchandising",
        versions=9, live=Routing(9), trigger=ApiTrigger("GET", "/search"),
        env_vars={"INDEX_ENDPOINT": "https://search.internal.example", "RUST_LOG": "info"},
    ),
    FunctionSpec(
        "checkout-api", "api", "nodejs20.x", 1024, 29,
        "Checkout orchestration: cart to order to payment", "checkout", "checkout",
        versions=7, live=Routing(7), trigger=ApiTrigger("POST", "/checkout"),
        vpc="multi-az", env_vars={"ORDERS_URL": "https://api.shop.example/orders"},
    ),
    FunctionSpec(
        "reviews-api", "api", "python3.8", 256, 10,
        "Product reviews and ratings", "reviews", "merchandising",
        versions=3, live=Routing(3), trigger=ApiTrigger("ANY", "/reviews/*"),
        tracing_active=False, env_vars={"TABLE_NAME": "reviews"},
    ),
    FunctionSpec(
        "inventory-api", "api", "java21", 1536, 20,
        "Stock levels per warehouse", "inventory", "fulfilment",
        versions=5, live=Routing(5), trigger=ApiTrigger("GET", "/inventory/*"),
        vpc="single-az", env_vars={"DB_SECRET_ARN": _secret("inventory-db")},
    ),
    FunctionSpec(
        "shipping-api", "api", "go1.x", 512, 10,
        "Shipping quotes and label creation", "shipping", "fulfilment",
        versions=2, live=Routing(2), trigger=ApiTrigger("ANY", "/shipping/*"),
        env_vars={"CARRIER_API_KEY_SECRET_ARN": _secret("carrier-api-key")},
    ),
    FunctionSpec(
        "auth-api", "api", "nodejs20.x", 512, 5,
        "Login, token refresh and logout", "auth", "identity",
        versions=6, live=Routing(6), url_auth="AWS_IAM",
        env_vars={"JWKS_URL": "https://auth.shop.example/.well-known/jwks.json"},
    ),
    FunctionSpec(
        "recommendations-api", "api", "python3.10", 3008, 15,
        "Product recommendations for a customer", "recommendations", "data",
        versions=5, live=Routing(5), trigger=ApiTrigger("GET", "/recommendations"),
        env_vars={"MODEL_BUCKET": "shop-ml-models"},
    ),
    FunctionSpec(
        "admin-api", "api", "nodejs16.x", 256, 30,
        "Back-office admin endpoints (legacy)", "admin", "platform",
        versions=2, live=Routing(2), url_auth="NONE", tracing_active=False,
        env_vars={"ADMIN_EMAILS": "ops@shop.example"},
    ),
    # SQS workers.
    FunctionSpec(
        "order-fulfillment-worker", "sqs-worker", "python3.12", 1024, 60,
        "Reserves stock and books shipments for new orders", "orders", "fulfilment",
        versions=4, live=Routing(4), trigger=SqsTrigger("order-fulfillment", 20),
        vpc="multi-az", reserved_concurrency=50, env_vars={"TABLE_NAME": "orders"},
    ),
    FunctionSpec(
        "email-sender", "sqs-worker", "nodejs20.x", 256, 30,
        "Sends transactional e-mail", "notifications", "platform",
        versions=3, live=Routing(3), trigger=SqsTrigger("email-outbox", 10),
        env_vars={"SES_CONFIGURATION_SET": "transactional", "FROM_ADDRESS": "shop@shop.example"},
    ),
    FunctionSpec(
        "inventory-sync", "sqs-worker", "python3.11", 512, 120,
        "Applies warehouse stock updates", "inventory", "fulfilment",
        versions=2, live=Routing(2), trigger=SqsTrigger("inventory-updates", 5),
        trigger_on_latest=True, env_vars={"TABLE_NAME": "inventory"},
    ),
    FunctionSpec(
        "refund-processor", "sqs-worker", "java21", 1024, 60,
        "Issues refunds for cancelled orders", "payments", "payments",
        versions=2, live=Routing(2), trigger=SqsTrigger("refunds", None),
        env_vars={"PSP_API_KEY_SECRET_ARN": _secret("psp-api-key")},
    ),
    FunctionSpec(
        "sms-notifier", "sqs-worker", "python3.9", 256, 15,
        "Sends delivery SMS", "notifications", "platform",
        versions=1, live=Routing(1), trigger=SqsTrigger("sms-outbox", 5),
        env_vars={"SMS_SENDER_ID": "SHOP"},
    ),
    FunctionSpec(
        "webhook-dispatcher", "sqs-worker", "nodejs18.x", 512, 30,
        "Delivers order webhooks to marketplace partners", "integrations", "platform",
        versions=2, live=Routing(2), trigger=SqsTrigger("webhooks", 10, batch_size=5),
        env_vars={"SIGNING_SECRET_ARN": _secret("webhook-signing")},
    ),
    # Scheduled jobs.
    FunctionSpec(
        "nightly-report", "scheduled", "python3.12", 3008, 900,
        "Builds the daily sales report", "reporting", "data",
        versions=3, live=Routing(3), trigger=ScheduleTrigger("nightly-report-schedule", "cron(0 2 * * ? *)"),
        on_failure="async-failures", env_vars={"REPORT_BUCKET": "shop-reports"},
        log_retention_days=90,
    ),
    FunctionSpec(
        "cleanup-carts", "scheduled", "nodejs20.x", 512, 300,
        "Deletes carts idle for 30 days", "cart", "checkout",
        versions=0, trigger=ScheduleTrigger("cleanup-carts-schedule", "rate(15 minutes)"),
        env_vars={"TABLE_NAME": "carts", "MAX_IDLE_DAYS": "30"},
    ),
    FunctionSpec(
        "price-feed-import", "scheduled", "python3.12", 2048, 600,
        "Imports supplier price feeds", "catalog", "merchandising",
        versions=4, trigger=ScheduleTrigger("price-feed-import-schedule", "rate(30 minutes)"),
        dlq="price-feed-import-dlq", on_failure="async-failures",
        env_vars={"FEED_BUCKET": "shop-supplier-feeds"},
    ),
    FunctionSpec(
        "sitemap-generator", "scheduled", "nodejs20.x", 1024, 300,
        "Regenerates the storefront sitemap", "storefront", "merchandising",
        versions=2, trigger=ScheduleTrigger("sitemap-generator-schedule", "rate(1 hour)"),
        on_failure="async-failures", env_vars={"SITE_BUCKET": "shop-storefront"},
    ),
    FunctionSpec(
        "abandoned-cart-reminder", "scheduled", "python3.12", 512, 120,
        "E-mails customers about carts left behind", "cart", "growth",
        versions=3, live=Routing(3), trigger=ScheduleTrigger("abandoned-cart-reminder-schedule", "rate(10 minutes)"),
        dlq="abandoned-cart-reminder-dlq", on_failure="async-failures",
        env_vars={"TABLE_NAME": "carts", "REMINDER_AFTER_HOURS": "4"},
    ),
    # Stream consumers.
    FunctionSpec(
        "orders-stream-projector", "stream", "python3.12", 512, 60,
        "Projects the orders table stream into the search index", "orders", "checkout",
        versions=5, live=Routing(5), trigger=StreamTrigger("dynamodb", "orders"),
        env_vars={"INDEX_ENDPOINT": "https://search.internal.example"},
    ),
    FunctionSpec(
        "clickstream-consumer", "stream", "java21", 1024, 120,
        "Aggregates storefront click events", "analytics", "data",
        versions=3, live=Routing(3), trigger=StreamTrigger("kinesis", "clickstream", batch_size=500),
        env_vars={"OUTPUT_BUCKET": "shop-analytics"},
    ),
    # Asynchronous event handlers.
    FunctionSpec(
        "image-resizer", "s3", None, 2048, 60,
        "Resizes uploaded product images (container image)", "catalog", "merchandising",
        versions=3, live=Routing(3), trigger=S3Trigger("shop-product-images"),
        dlq="image-resizer-dlq", on_failure="async-failures",
        env_vars={"OUTPUT_BUCKET": "shop-product-images-resized"},
    ),
    FunctionSpec(
        "audit-log-writer", "eventbridge", "nodejs20.x", 256, 30,
        "Writes order and payment events to the audit store", "compliance", "platform",
        versions=2, live=Routing(2), trigger=EventPatternTrigger("audit-events", "shop.orders"),
        on_failure="async-failures", env_vars={"AUDIT_TABLE": "audit-log"},
        log_retention_days=365,
    ),
    FunctionSpec(
        "fraud-scorer", "internal", "python3.12", 1769, 10,
        "Scores payments for fraud risk; called by payments-api", "payments", "payments",
        versions=7, live=Routing(7), reserved_concurrency=80, vpc="multi-az",
        env_vars={"MODEL_VERSION": "2024-11", "THRESHOLD": "0.82"},
    ),
    FunctionSpec(
        "legacy-coupon-service", "internal", "go1.x", 128, 3,
        "Coupon validation from the old monolith (to be retired)", "coupons", "growth",
        versions=0, tracing_active=False, public_policy=True,
        env_vars={
            # Planted secret: the example key pair from the AWS documentation.
            "PARTNER_AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
            "PARTNER_AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "COUPON_TABLE": "coupons",
        },
        log_retention_days=None,
    ),
    # Staging copies that live in the same account.
    FunctionSpec(
        "orders-api-staging", "api", "python3.12", 1024, 15,
        "Orders API, staging stage", "orders", "checkout", env="staging",
        versions=0, trigger=ApiTrigger("ANY", "/staging/orders/*"),
        env_vars={"TABLE_NAME": "orders-staging", "LOG_LEVEL": "DEBUG"}, log_retention_days=7,
    ),
    FunctionSpec(
        "cart-api-staging", "api", "nodejs20.x", 512, 10,
        "Cart API, staging stage", "cart", "checkout", env="staging",
        versions=0, trigger=ApiTrigger("ANY", "/staging/cart/*"), tracing_active=False,
        env_vars={"TABLE_NAME": "carts-staging"}, log_retention_days=7,
    ),
    FunctionSpec(
        "thumbnail-cleanup", "eventbridge", "python3.12", 256, 60,
        "Deletes resized images of removed products", "catalog", "merchandising",
        versions=2, live=Routing(2), trigger=EventPatternTrigger("product-deleted", "shop.catalog"),
        on_failure="async-failures", env_vars={"OUTPUT_BUCKET": "shop-product-images-resized"},
    ),
    # Second region: a read-only storefront copy for Japan.
    FunctionSpec(
        "catalog-api", "api", "nodejs20.x", 1024, 6,
        "Product catalogue reads (Japan)", "catalog", "merchandising", region=SECOND_REGION,
        versions=3, live=Routing(3), env_vars={"TABLE_NAME": "products"},
    ),
    FunctionSpec(
        "search-api", "api", "provided.al2023", 256, 5,
        "Full-text product search (Japan)", "search", "merchandising", region=SECOND_REGION,
        versions=2, live=Routing(2), env_vars={"RUST_LOG": "info"},
    ),
    FunctionSpec(
        "users-api", "api", "python3.12", 512, 10,
        "Customer accounts (Japan)", "users", "identity", region=SECOND_REGION,
        versions=2, live=Routing(2), env_vars={"TABLE_NAME": "users"},
    ),
]

# SQS queues besides the trigger queues: DLQs and the shared async failure queue.
EXTRA_QUEUES = ["async-failures", "order-fulfillment-dlq", "email-outbox-dlq"]

# CloudWatch alarms on Errors (Sum, 1-minute period). `resource` None puts the
# alarm on the whole function instead of the alias.
@dataclass(frozen=True)
class AlarmSpec:
    name: str
    function: str
    resource: str | None
    threshold: float
    evaluation_periods: int = 3
    datapoints_to_alarm: int = 2


ALARMS: list[AlarmSpec] = [
    # At 10 % on version 13 the alias gets about 2.7 errors a minute, so three
    # of five minutes with more than one error are likely. After a rollback to
    # version 12 (about 0.7 errors a minute) they are rare.
    AlarmSpec("orders-api-live-errors", "orders-api", f"orders-api:{ALIAS_NAME}", 1,
              evaluation_periods=5, datapoints_to_alarm=3),
    AlarmSpec("cart-api-live-errors", "cart-api", f"cart-api:{ALIAS_NAME}", 3),
    AlarmSpec("payments-api-errors", "payments-api", None, 2),
    AlarmSpec("checkout-api-errors", "checkout-api", None, 3),
    AlarmSpec("order-fulfillment-worker-errors", "order-fulfillment-worker", None, 5),
]
