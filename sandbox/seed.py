"""Seed the local endpoint with the demo shop fleet defined in fleet.py.

sandbox/up runs it once against a fresh moto server. A second run against a
seeded endpoint skips the functions that exist and does not fail, but it
creates another VPC, REST API and set of streams, and it does not repair a
half-seeded function.
"""

from __future__ import annotations

import io
import json
import logging
import sys
import time
import zipfile
from dataclasses import dataclass
from typing import Any, Callable

from botocore.exceptions import ClientError

import local_aws
import seed_checklist
import seed_codedeploy
import seed_cost
from fleet import (
    ALARMS,
    ALIAS_NAME,
    EXTRA_QUEUES,
    FLEET,
    HOME_REGION,
    SECOND_REGION,
    AlarmSpec,
    ApiTrigger,
    EventPatternTrigger,
    FunctionSpec,
    S3Trigger,
    ScheduleTrigger,
    SqsTrigger,
    StreamTrigger,
)

ACCOUNT = local_aws.ACCOUNT_ID
ROLE_NAME = "shop-lambda-execution"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE_NAME}"
IMAGE_REPOSITORY = "image-resizer"
REST_API_NAME = "shop-public-api"

# Error codes that mean "this already exists", so a second run carries on.
ALREADY_EXISTS = {
    "ResourceConflictException",
    "ResourceAlreadyExistsException",
    "ResourceInUseException",
    "EntityAlreadyExists",
    "RepositoryAlreadyExistsException",
    "ImageAlreadyExistsException",
    "BucketAlreadyOwnedByYou",
    "QueueAlreadyExists",
}

log = logging.getLogger("seed")


@dataclass
class SharedResources:
    """ARNs and ids of the non-Lambda resources the functions refer to."""

    queue_arns: dict[str, str]
    subnets_multi_az: list[str]
    subnets_single_az: list[str]
    security_group: str
    rest_api_id: str
    table_stream_arn: str
    kinesis_stream_arn: str
    image_uri_base: str


def ignore_existing(call: Callable[[], Any]) -> Any:
    """Run `call`; return None instead of raising when the resource exists."""
    try:
        return call()
    except ClientError as error:
        if error.response["Error"]["Code"] in ALREADY_EXISTS:
            return None
        raise


# ---------------------------------------------------------------------------
# Shared resources
# ---------------------------------------------------------------------------


def create_role() -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam = local_aws.client("iam", HOME_REGION)
    ignore_existing(
        lambda: iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust))
    )


def create_network() -> tuple[list[str], list[str], str]:
    """Create a VPC with subnets in three AZs plus a second subnet in the first AZ.

    Returns the multi-AZ subnet ids, the single-AZ pair and a security group id.
    """
    ec2 = local_aws.client("ec2", HOME_REGION)
    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "Name", "Value": "shop-vpc"}])

    def subnet(cidr: str, zone: str) -> str:
        response = ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone)
        return response["Subnet"]["SubnetId"]

    multi_az = [
        subnet("10.20.1.0/24", "us-east-1a"),
        subnet("10.20.2.0/24", "us-east-1b"),
        subnet("10.20.3.0/24", "us-east-1c"),
    ]
    single_az = [multi_az[0], subnet("10.20.4.0/24", "us-east-1a")]
    group = ec2.create_security_group(
        GroupName="shop-lambda", Description="Outbound access for shop functions", VpcId=vpc_id
    )
    return multi_az, single_az, group["GroupId"]


def create_queues() -> dict[str, str]:
    """Create every SQS queue the fleet refers to; return name -> ARN."""
    sqs = local_aws.client("sqs", HOME_REGION)
    names = set(EXTRA_QUEUES)
    for spec in FLEET:
        if isinstance(spec.trigger, SqsTrigger):
            names.add(spec.trigger.queue)
        names.update(q for q in (spec.dlq, spec.on_failure) if q)

    arns: dict[str, str] = {}
    for name in sorted(names):
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        arns[name] = attributes["Attributes"]["QueueArn"]

    # Trigger queues with a matching "-dlq" queue redrive to it after 5 receives.
    for name in arns:
        dlq_arn = arns.get(f"{name}-dlq")
        if dlq_arn:
            redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"})
            url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
            sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": redrive})
    return arns


def create_streams() -> tuple[str, str]:
    """Create the orders table (with a stream) and the clickstream Kinesis stream."""
    dynamodb = local_aws.client("dynamodb", HOME_REGION)
    table = dynamodb.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "orderId", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "orderId", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    table_stream_arn = table["TableDescription"]["LatestStreamArn"]

    kinesis = local_aws.client("kinesis", HOME_REGION)
    kinesis.create_stream(StreamName="clickstream", ShardCount=2)
    summary = kinesis.describe_stream_summary(StreamName="clickstream")
    return table_stream_arn, summary["StreamDescriptionSummary"]["StreamARN"]


def create_image_repository(tags: list[str]) -> str:
    """Push a minimal image manifest per tag; return the repository URI."""
    ecr = local_aws.client("ecr", HOME_REGION)
    repository = ignore_existing(lambda: ecr.create_repository(repositoryName=IMAGE_REPOSITORY))
    if repository is None:
        repository = ecr.describe_repositories(repositoryNames=[IMAGE_REPOSITORY])["repositories"][0]
    else:
        repository = repository["repository"]

    for index, tag in enumerate(tags):
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 7023 + index,
                "digest": f"sha256:{index + 1:064x}",
            },
            "layers": [],
        }
        ignore_existing(
            lambda: ecr.put_image(
                repositoryName=IMAGE_REPOSITORY, imageManifest=json.dumps(manifest), imageTag=tag
            )
        )
    return repository["repositoryUri"]


def create_event_sources() -> str:
    """Create the S3 upload bucket and the REST API; return the REST API id."""
    s3 = local_aws.client("s3", HOME_REGION)
    for spec in FLEET:
        if isinstance(spec.trigger, S3Trigger):
            bucket = spec.trigger.bucket
            ignore_existing(lambda: s3.create_bucket(Bucket=bucket))
    apigateway = local_aws.client("apigateway", HOME_REGION)
    return apigateway.create_rest_api(name=REST_API_NAME, description="Storefront API")["id"]


def create_shared_resources(image_tags: list[str]) -> SharedResources:
    create_role()
    multi_az, single_az, group = create_network()
    table_stream_arn, kinesis_arn = create_streams()
    return SharedResources(
        queue_arns=create_queues(),
        subnets_multi_az=multi_az,
        subnets_single_az=single_az,
        security_group=group,
        rest_api_id=create_event_sources(),
        table_stream_arn=table_stream_arn,
        kinesis_stream_arn=kinesis_arn,
        image_uri_base=create_image_repository(image_tags),
    )


# ---------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------


def handler_zip(spec: FunctionSpec, release: int) -> bytes:
    """Build a tiny deployment package; the release number changes CodeSha256."""
    source = f"# {spec.name} release {release}\ndef handler(event, context):\n    return {{}}\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", source)
    return buffer.getvalue()


def image_tag(release: int) -> str:
    return f"1.4.{release}"


def function_arn(spec: FunctionSpec, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{spec.region}:{ACCOUNT}:function:{spec.name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def vpc_config(spec: FunctionSpec, shared: SharedResources) -> dict[str, Any] | None:
    if spec.vpc is None:
        return None
    subnets = shared.subnets_multi_az if spec.vpc == "multi-az" else shared.subnets_single_az
    return {"SubnetIds": subnets, "SecurityGroupIds": [shared.security_group]}


def create_function_request(spec: FunctionSpec, shared: SharedResources | None) -> dict[str, Any]:
    request: dict[str, Any] = {
        "FunctionName": spec.name,
        "Role": ROLE_ARN,
        "MemorySize": spec.memory_mb,
        "Timeout": spec.timeout_s,
        "Description": spec.description,
        "TracingConfig": {"Mode": "Active" if spec.tracing_active else "PassThrough"},
        "Environment": {"Variables": spec.env_vars},
        "Tags": {"service": spec.service, "team": spec.team, "env": spec.env},
        "Architectures": ["arm64"] if spec.runtime in ("python3.12", "provided.al2023") else ["x86_64"],
    }
    if spec.runtime is None:
        assert shared is not None, "container image functions live in the home region"
        request["PackageType"] = "Image"
        request["Code"] = {"ImageUri": f"{shared.image_uri_base}:{image_tag(1)}"}
    else:
        request["Runtime"] = spec.runtime
        request["Handler"] = "handler.handler"
        request["Code"] = {"ZipFile": handler_zip(spec, 1)}
    if shared is not None:
        vpc = vpc_config(spec, shared)
        if vpc:
            request["VpcConfig"] = vpc
        if spec.dlq:
            request["DeadLetterConfig"] = {"TargetArn": shared.queue_arns[spec.dlq]}
    return request


def publish_versions(lam: Any, spec: FunctionSpec, shared: SharedResources | None) -> None:
    """Publish releases 1..spec.versions, each with new code."""
    for release in range(1, spec.versions + 1):
        if release > 1:
            if spec.runtime is None:
                assert shared is not None
                lam.update_function_code(
                    FunctionName=spec.name, ImageUri=f"{shared.image_uri_base}:{image_tag(release)}"
                )
            else:
                lam.update_function_code(FunctionName=spec.name, ZipFile=handler_zip(spec, release))
        lam.publish_version(FunctionName=spec.name, Description=f"release {release}")


def create_alias(lam: Any, spec: FunctionSpec) -> None:
    if spec.live is None:
        return
    request: dict[str, Any] = {
        "FunctionName": spec.name,
        "Name": ALIAS_NAME,
        "FunctionVersion": str(spec.live.version),
        "Description": "Production traffic",
    }
    if spec.live.canary_version is not None:
        weights = {str(spec.live.canary_version): spec.live.canary_weight}
        request["RoutingConfig"] = {"AdditionalVersionWeights": weights}
    lam.create_alias(**request)


def add_trigger_permission(lam: Any, spec: FunctionSpec, shared: SharedResources) -> None:
    """Allow the trigger's service to invoke the function, scoped by SourceArn."""
    trigger = spec.trigger
    request: dict[str, Any] = {
        "FunctionName": spec.name,
        "Action": "lambda:InvokeFunction",
    }
    if spec.trigger_qualifier:
        request["Qualifier"] = spec.trigger_qualifier

    if isinstance(trigger, ApiTrigger):
        method = "*" if trigger.method == "ANY" else trigger.method
        request.update(
            StatementId="apigateway-invoke",
            Principal="apigateway.amazonaws.com",
            SourceArn=f"arn:aws:execute-api:{spec.region}:{ACCOUNT}:{shared.rest_api_id}/*/{method}{trigger.path}",
        )
    elif isinstance(trigger, S3Trigger):
        request.update(
            StatementId="s3-invoke",
            Principal="s3.amazonaws.com",
            SourceArn=f"arn:aws:s3:::{trigger.bucket}",
            SourceAccount=ACCOUNT,
        )
    elif isinstance(trigger, (ScheduleTrigger, EventPatternTrigger)):
        request.update(
            StatementId="eventbridge-invoke",
            Principal="events.amazonaws.com",
            SourceArn=f"arn:aws:events:{spec.region}:{ACCOUNT}:rule/{trigger.rule}",
        )
    else:
        return  # Event source mappings use the execution role, not a resource policy.
    lam.add_permission(**request)


def create_event_source_mapping(lam: Any, spec: FunctionSpec, shared: SharedResources) -> None:
    trigger = spec.trigger
    target = spec.name if spec.trigger_qualifier is None else f"{spec.name}:{spec.trigger_qualifier}"
    if isinstance(trigger, SqsTrigger):
        request: dict[str, Any] = {
            "EventSourceArn": shared.queue_arns[trigger.queue],
            "FunctionName": target,
            "BatchSize": trigger.batch_size,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        }
        if trigger.max_concurrency is not None:
            request["ScalingConfig"] = {"MaximumConcurrency": trigger.max_concurrency}
        lam.create_event_source_mapping(**request)
    elif isinstance(trigger, StreamTrigger):
        source_arn = shared.table_stream_arn if trigger.source == "dynamodb" else shared.kinesis_stream_arn
        lam.create_event_source_mapping(
            EventSourceArn=source_arn,
            FunctionName=target,
            BatchSize=trigger.batch_size,
            StartingPosition="LATEST",
            BisectBatchOnFunctionError=True,
            MaximumRetryAttempts=3,
            ParallelizationFactor=2 if trigger.source == "kinesis" else 1,
            DestinationConfig={"OnFailure": {"Destination": shared.queue_arns["async-failures"]}},
        )


def create_eventbridge_rule(spec: FunctionSpec) -> None:
    trigger = spec.trigger
    events = local_aws.client("events", spec.region)
    if isinstance(trigger, ScheduleTrigger):
        events.put_rule(Name=trigger.rule, ScheduleExpression=trigger.expression, State="ENABLED")
    elif isinstance(trigger, EventPatternTrigger):
        pattern = json.dumps({"source": [trigger.source]})
        events.put_rule(Name=trigger.rule, EventPattern=pattern, State="ENABLED")
    else:
        return
    target = {"Id": spec.name, "Arn": function_arn(spec, spec.trigger_qualifier)}
    events.put_targets(Rule=trigger.rule, Targets=[target])


def configure_s3_notification(spec: FunctionSpec) -> None:
    if not isinstance(spec.trigger, S3Trigger):
        return
    s3 = local_aws.client("s3", spec.region)
    s3.put_bucket_notification_configuration(
        Bucket=spec.trigger.bucket,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {
                    "LambdaFunctionArn": function_arn(spec, spec.trigger_qualifier),
                    "Events": ["s3:ObjectCreated:*"],
                }
            ]
        },
    )


def add_extra_permissions(lam: Any, spec: FunctionSpec) -> None:
    """Add the deliberately public statement and the payments-api grant."""
    # NOTE: real AWS also needs a lambda:InvokeFunctionUrl statement for
    # Principal "*" before an AuthType NONE URL accepts requests. moto 5.2.5 stores its
    # FunctionUrlAuthType condition as a top-level key, which would read as a
    # second unconditioned public statement, so the seed leaves it out.
    if spec.public_policy:
        lam.add_permission(
            FunctionName=spec.name,
            StatementId="allow-any-caller",
            Action="lambda:InvokeFunction",
            Principal="*",
        )
    if spec.name == "fraud-scorer":
        lam.add_permission(
            FunctionName=spec.name,
            Qualifier=ALIAS_NAME,
            StatementId="payments-api-invoke",
            Action="lambda:InvokeFunction",
            Principal=f"arn:aws:iam::{ACCOUNT}:role/{ROLE_NAME}",
        )


def configure_async_failures(lam: Any, spec: FunctionSpec, shared: SharedResources) -> None:
    if spec.on_failure is None:
        return
    request: dict[str, Any] = {
        "FunctionName": spec.name,
        "MaximumRetryAttempts": 2,
        "MaximumEventAgeInSeconds": 3600,
        "DestinationConfig": {"OnFailure": {"Destination": shared.queue_arns[spec.on_failure]}},
    }
    if spec.trigger_qualifier:
        request["Qualifier"] = spec.trigger_qualifier
    lam.put_function_event_invoke_config(**request)


def create_log_group(spec: FunctionSpec) -> None:
    logs = local_aws.client("logs", spec.region)
    group = f"/aws/lambda/{spec.name}"
    ignore_existing(lambda: logs.create_log_group(logGroupName=group, tags={"service": spec.service}))
    if spec.log_retention_days is not None:
        logs.put_retention_policy(logGroupName=group, retentionInDays=spec.log_retention_days)


def function_exists(lam: Any, name: str) -> bool:
    try:
        lam.get_function(FunctionName=name)
        return True
    except ClientError as error:
        if error.response["Error"]["Code"] == "ResourceNotFoundException":
            return False
        raise


def seed_function(spec: FunctionSpec, shared: SharedResources | None) -> None:
    """Create one function with its versions, alias, triggers and settings."""
    lam = local_aws.client("lambda", spec.region)
    if function_exists(lam, spec.name):
        log.info("%s in %s exists already; skipped", spec.name, spec.region)
        return

    lam.create_function(**create_function_request(spec, shared))
    publish_versions(lam, spec, shared)
    create_alias(lam, spec)
    if spec.reserved_concurrency is not None:
        lam.put_function_concurrency(
            FunctionName=spec.name, ReservedConcurrentExecutions=spec.reserved_concurrency
        )
    if spec.url_auth is not None:
        lam.create_function_url_config(FunctionName=spec.name, AuthType=spec.url_auth)
    add_extra_permissions(lam, spec)
    if shared is not None:
        add_trigger_permission(lam, spec, shared)
        create_event_source_mapping(lam, spec, shared)
        create_eventbridge_rule(spec)
        configure_s3_notification(spec)
        configure_async_failures(lam, spec, shared)
    create_log_group(spec)


# ---------------------------------------------------------------------------
# Alarms
# ---------------------------------------------------------------------------


def create_alarm(cloudwatch: Any, alarm: AlarmSpec) -> None:
    dimensions = [{"Name": "FunctionName", "Value": alarm.function}]
    if alarm.resource:
        dimensions.append({"Name": "Resource", "Value": alarm.resource})
    cloudwatch.put_metric_alarm(
        AlarmName=alarm.name,
        AlarmDescription=f"Errors of {alarm.resource or alarm.function} above {alarm.threshold:g} a minute",
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Dimensions=dimensions,
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=alarm.evaluation_periods,
        DatapointsToAlarm=alarm.datapoints_to_alarm,
        Threshold=alarm.threshold,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
        ActionsEnabled=False,
    )


def create_alarms() -> None:
    cloudwatch = local_aws.client("cloudwatch", HOME_REGION)
    for alarm in ALARMS:
        create_alarm(cloudwatch, alarm)
    # moto evaluates no alarms, so the failing canary's alarm starts in ALARM
    # here. The simulator re-evaluates it each minute from then on.
    cloudwatch.set_alarm_state(
        AlarmName="orders-api-live-errors",
        StateValue="ALARM",
        StateReason="Threshold Crossed: version 13 is failing about 8 % of requests",
    )


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="seed: %(message)s", stream=sys.stderr)
    started = time.monotonic()
    max_release = max(spec.versions for spec in FLEET if spec.runtime is None)
    shared = create_shared_resources([image_tag(r) for r in range(1, max_release + 1)])

    for spec in FLEET:
        seed_function(spec, shared if spec.region == HOME_REGION else None)
    create_alarms()
    seed_checklist.seed()
    seed_cost.seed()
    seed_codedeploy.seed()

    counts = {region: sum(1 for s in FLEET if s.region == region) for region in (HOME_REGION, SECOND_REGION)}
    log.info(
        "seeded %d functions in %s and %d in %s in %.1f s",
        counts[HOME_REGION], HOME_REGION, counts[SECOND_REGION], SECOND_REGION,
        time.monotonic() - started,
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)  # Ctrl-C during sandbox/up: no traceback needed.
