"""Seed the CodeDeploy state that the shift and rollback pre-flight reads: a
Lambda deployment that owns search-api's `live` alias, and a server
deployment that the pre-flight must ignore.

seed.py calls seed() once after the fleet exists. The planted problem is
listed in README.md ("CodeDeploy deployments").
"""

from __future__ import annotations

import json
import logging

import local_aws
from fleet import ALIAS_NAME, HOME_REGION

# The function whose alias a CodeDeploy deployment owns. No other sandbox
# test shifts it, so the rejection it causes stays predictable.
OWNED_FUNCTION = "search-api"
LAMBDA_APPLICATION = "shop-search"
LAMBDA_GROUP = "search-api-live"
SERVER_APPLICATION = "legacy-web"
SERVER_GROUP = "legacy-web-fleet"
SERVICE_ROLE = f"arn:aws:iam::{local_aws.ACCOUNT_ID}:role/codedeploy-service"

log = logging.getLogger("seed")


def appspec(function: str, alias: str, current: str, target: str) -> str:
    """Build a Lambda AppSpec in the JSON form that CreateDeployment accepts
    as `appSpecContent`."""
    resource = {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Name": function,
            "Alias": alias,
            "CurrentVersion": current,
            "TargetVersion": target,
        },
    }
    return json.dumps({"version": 0.0, "Resources": [{f"{function}Function": resource}]})


def seed() -> None:
    codedeploy = local_aws.client("codedeploy", HOME_REGION)

    # A pipeline queued a redeploy of version 8 onto search-api:live (at 9).
    # moto keeps every deployment in status Created, which counts as active.
    codedeploy.create_application(applicationName=LAMBDA_APPLICATION, computePlatform="Lambda")
    codedeploy.create_deployment_group(
        applicationName=LAMBDA_APPLICATION,
        deploymentGroupName=LAMBDA_GROUP,
        serviceRoleArn=SERVICE_ROLE,
        deploymentConfigName="CodeDeployDefault.LambdaCanary10Percent5Minutes",
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
    )
    content = appspec(OWNED_FUNCTION, ALIAS_NAME, current="9", target="8")
    lambda_deployment = codedeploy.create_deployment(
        applicationName=LAMBDA_APPLICATION,
        deploymentGroupName=LAMBDA_GROUP,
        revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": content}},
        description="redeploy search-api version 8",
    )["deploymentId"]

    # An EC2 deployment with its revision in S3: not on the Lambda platform,
    # so it must neither block a shift nor make the check unknown.
    codedeploy.create_application(applicationName=SERVER_APPLICATION, computePlatform="Server")
    codedeploy.create_deployment_group(
        applicationName=SERVER_APPLICATION,
        deploymentGroupName=SERVER_GROUP,
        serviceRoleArn=SERVICE_ROLE,
    )
    codedeploy.create_deployment(
        applicationName=SERVER_APPLICATION,
        deploymentGroupName=SERVER_GROUP,
        revision={
            "revisionType": "S3",
            "s3Location": {"bucket": "legacy-web-builds", "key": "web.zip", "bundleType": "zip"},
        },
    )
    log.info(
        "seeded CodeDeploy deployment %s owning %s:%s, and one server deployment",
        lambda_deployment, OWNED_FUNCTION, ALIAS_NAME,
    )
