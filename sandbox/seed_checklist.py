"""Seed what the checklist reads beyond Lambda: Amazon Inspector findings and
coverage, and two API Gateway REST APIs in front of functions.

seed.py calls seed() once after the fleet exists. The planted problems are
listed in README.md ("Checklist data beyond Lambda").
"""

from __future__ import annotations

import json
import logging
import time
import urllib.request
from typing import Any

import local_aws
from fleet import ALIAS_NAME, HOME_REGION, SECOND_REGION

ACCOUNT = local_aws.ACCOUNT_ID

# The well-configured API keeps the name seed.py gave the storefront API.
CLEAN_API_NAME = "shop-public-api"
PLANTED_API_NAME = "shop-checkout-api"
STAGE = "prod"
CLEAN_BURST_LIMIT = 200
CLEAN_RATE_LIMIT = 100.0

log = logging.getLogger("seed")


def function_arn(name: str, qualifier: str | None = None, region: str = HOME_REGION) -> str:
    arn = f"arn:aws:lambda:{region}:{ACCOUNT}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


# ---------------------------------------------------------------------------
# Amazon Inspector
# ---------------------------------------------------------------------------


def lambda_resource(name: str, version: str, runtime: str) -> dict[str, Any]:
    """Build a finding's resource block for one function version, as ListFindings returns it."""
    return {
        "type": "AWS_LAMBDA_FUNCTION",
        "id": function_arn(name, version),
        "partition": "aws",
        "region": HOME_REGION,
        "details": {
            "awsLambdaFunction": {
                "functionName": name,
                "version": version,
                "runtime": runtime,
                "codeSha256": "O7jkFEmfPB+CK3Y6Pby5zW9gjG+zusAaqRRMGS8B27c=",
                "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/shop-lambda-execution",
                "packageType": "ZIP",
            }
        },
    }


def finding(
    finding_id: str,
    *,
    title: str,
    severity: str,
    status: str,
    resource: dict[str, Any],
    package: dict[str, Any] | None = None,
    code: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build one finding in the ListFindings shape, with epoch-second timestamps."""
    observed = int(time.time()) - 86_400
    body: dict[str, Any] = {
        "awsAccountId": ACCOUNT,
        "findingArn": f"arn:aws:inspector2:{HOME_REGION}:{ACCOUNT}:finding/{finding_id}",
        "title": title,
        "description": title,
        "severity": severity,
        "status": status,
        "firstObservedAt": observed,
        "lastObservedAt": observed,
        "updatedAt": observed,
        "remediation": {"recommendation": {"text": "Update the package or fix the code."}},
        "resources": [resource],
    }
    if package is not None:
        body["type"] = "PACKAGE_VULNERABILITY"
        body["packageVulnerabilityDetails"] = package
        body["fixAvailable"] = "YES"
    if code is not None:
        body["type"] = "CODE_VULNERABILITY"
        body["codeVulnerabilityDetails"] = code
    return body


def lambda_findings() -> list[dict[str, Any]]:
    """Return the findings that ListFindings returns for AWS_LAMBDA_FUNCTION in us-east-1."""
    flask = {
        "vulnerabilityId": "CVE-2023-30861",
        "source": "NVD",
        "vendorSeverity": "HIGH",
        "vulnerablePackages": [
            {
                "name": "flask",
                "version": "2.0.0",
                "fixedInVersion": "2.3.2",
                "packageManager": "PIP",
                "filePath": "requirements.txt",
            }
        ],
    }
    requests_cve = {
        "vulnerabilityId": "CVE-2023-32681",
        "source": "NVD",
        "vendorSeverity": "MEDIUM",
        "vulnerablePackages": [
            {
                "name": "requests",
                "version": "2.28.1",
                "fixedInVersion": "2.31.0",
                "packageManager": "PIP",
                "filePath": "requirements.txt",
            }
        ],
    }
    return [
        # The canary version of orders-api brings a vulnerable flask.
        finding(
            "orders-api-13-flask",
            title="CVE-2023-30861 - flask",
            severity="HIGH",
            status="ACTIVE",
            resource=lambda_resource("orders-api", "13", "PYTHON_3_12"),
            package=flask,
        ),
        # The access key in legacy-coupon-service's code.
        finding(
            "legacy-coupon-hardcoded-key",
            title="CWE-798 - Hardcoded credentials",
            severity="HIGH",
            status="ACTIVE",
            resource=lambda_resource("legacy-coupon-service", "$LATEST", "GO_1_X"),
            code={
                "cwes": ["CWE-798"],
                "detectorId": "go/hardcoded-credentials@v1.0",
                "detectorName": "Hardcoded credentials",
                "ruleId": "go-detect-hardcoded-aws-credentials",
                "filePath": {
                    "fileName": "main.go",
                    "filePath": "main.go",
                    "startLine": 12,
                    "endLine": 12,
                },
            },
        ),
        # A medium finding only: the rule warns rather than fails.
        finding(
            "users-api-requests",
            title="CVE-2023-32681 - requests",
            severity="MEDIUM",
            status="ACTIVE",
            resource=lambda_resource("users-api", "4", "PYTHON_3_12"),
            package=requests_cve,
        ),
        # A closed finding does not count: cart-api stays clean.
        finding(
            "cart-api-closed",
            title="CVE-2023-30861 - flask",
            severity="HIGH",
            status="CLOSED",
            resource=lambda_resource("cart-api", "4", "NODEJS_20_X"),
            package=flask,
        ),
    ]


def post_moto_api(path: str, body: dict[str, Any]) -> None:
    """POST a JSON body to moto's own configuration API on the local endpoint."""
    url = local_aws.endpoint_url().rstrip("/") + path
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def seed_inspector() -> None:
    """Turn on Lambda scanning in us-east-1 only, and queue the findings.

    moto's ListFindings returns the first queued result to the first query
    and the same result to every later query with the same parameters.
    ap-northeast-1 keeps Inspector off, so its functions fail VULN-002.
    """
    inspector = local_aws.client("inspector2", HOME_REGION)
    inspector.enable(accountIds=[ACCOUNT], resourceTypes=["LAMBDA", "LAMBDA_CODE"])
    # moto's BatchGetAccountStatus returns a status only for accounts it has seen,
    # so record the second region's account as explicitly disabled.
    second = local_aws.client("inspector2", SECOND_REGION)
    second.disable(accountIds=[ACCOUNT], resourceTypes=["LAMBDA", "LAMBDA_CODE"])
    post_moto_api(
        "/moto-api/static/inspector2/findings-results",
        {"results": [lambda_findings()], "account_id": ACCOUNT, "region": HOME_REGION},
    )


# ---------------------------------------------------------------------------
# API Gateway
# ---------------------------------------------------------------------------


def integration_uri(function: str) -> str:
    target = function_arn(function, ALIAS_NAME)
    return f"arn:aws:apigateway:{HOME_REGION}:lambda:path/2015-03-31/functions/{target}/invocations"


def find_or_create_api(apigateway: Any, name: str, description: str) -> str:
    for api in apigateway.get_rest_apis()["items"]:
        if api["name"] == name:
            return str(api["id"])
    return str(apigateway.create_rest_api(name=name, description=description)["id"])


def add_post_method(
    apigateway: Any, api_id: str, path_part: str, function: str, validator_id: str | None
) -> None:
    """Add POST /PATH_PART with a Lambda proxy integration to the `live` alias."""
    root = next(r for r in apigateway.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    resource = apigateway.create_resource(restApiId=api_id, parentId=root["id"], pathPart=path_part)
    method: dict[str, Any] = {
        "restApiId": api_id,
        "resourceId": resource["id"],
        "httpMethod": "POST",
        "authorizationType": "NONE",
    }
    if validator_id is not None:
        method["requestValidatorId"] = validator_id
        method["requestModels"] = {"application/json": "Empty"}
    apigateway.put_method(**method)
    apigateway.put_integration(
        restApiId=api_id,
        resourceId=resource["id"],
        httpMethod="POST",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=integration_uri(function),
    )


def seed_clean_api(apigateway: Any) -> str:
    """payments-api behind a body validator and a stage with `*/*` throttling."""
    api_id = find_or_create_api(apigateway, CLEAN_API_NAME, "Storefront API")
    validator = apigateway.create_request_validator(
        restApiId=api_id, name="body", validateRequestBody=True, validateRequestParameters=False
    )
    add_post_method(apigateway, api_id, "payments", "payments-api", validator["id"])
    apigateway.create_deployment(restApiId=api_id, stageName=STAGE)
    apigateway.update_stage(
        restApiId=api_id,
        stageName=STAGE,
        patchOperations=[
            {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": str(CLEAN_BURST_LIMIT)},
            {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": str(CLEAN_RATE_LIMIT)},
        ],
    )
    return api_id


def seed_planted_api(apigateway: Any) -> str:
    """checkout-api behind POST without a validator, on a stage without throttling."""
    api_id = find_or_create_api(apigateway, PLANTED_API_NAME, "Checkout API")
    add_post_method(apigateway, api_id, "checkout", "checkout-api", None)
    apigateway.create_deployment(restApiId=api_id, stageName=STAGE)
    return api_id


def rescope_permission(function: str, api_id: str, path: str) -> None:
    """Point the function's API Gateway permission at `api_id`.

    seed.py scopes every API permission to the storefront API; the checkout
    function moves to its own API, and one statement keeps the policy as
    seed.py left it.
    """
    lam = local_aws.client("lambda", HOME_REGION)
    lam.remove_permission(FunctionName=function, StatementId="apigateway-invoke", Qualifier=ALIAS_NAME)
    lam.add_permission(
        FunctionName=function,
        StatementId="apigateway-invoke",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{HOME_REGION}:{ACCOUNT}:{api_id}/*/POST{path}",
        Qualifier=ALIAS_NAME,
    )


def seed_rest_apis() -> None:
    apigateway = local_aws.client("apigateway", HOME_REGION)
    clean = seed_clean_api(apigateway)
    planted = seed_planted_api(apigateway)
    rescope_permission("checkout-api", planted, "/checkout")
    log.info("REST APIs: %s (payments-api, clean), %s (checkout-api, planted)", clean, planted)


def seed_shared_caller() -> None:
    """Let a marketing SNS topic invoke email-sender beside its SQS queue.

    Two unrelated callers then share email-sender's execution environments
    (ISO-001): a payload from one can see what the other left in memory.
    """
    lam = local_aws.client("lambda", HOME_REGION)
    try:
        lam.add_permission(
            FunctionName="email-sender",
            StatementId="marketing-topic-invoke",
            Action="lambda:InvokeFunction",
            Principal="sns.amazonaws.com",
            SourceArn=f"arn:aws:sns:{HOME_REGION}:{ACCOUNT}:marketing-campaigns",
            SourceAccount=ACCOUNT,
        )
    except lam.exceptions.ResourceConflictException:
        pass


def seed() -> None:
    seed_inspector()
    seed_rest_apis()
    seed_shared_caller()
