"""boto3 clients bound to the local sandbox endpoint, never to AWS.

Every client gets the loopback endpoint from AWS_ENDPOINT_URL, static dummy
credentials and instance metadata disabled, so a missing or wrong setting
fails here instead of reaching a real AWS host.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

ACCOUNT_ID = "123456789012"  # moto's default account
DUMMY_KEY = "testing"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}



def endpoint_url() -> str:
    """Return AWS_ENDPOINT_URL after checking that it points at loopback."""
    url = os.environ.get("AWS_ENDPOINT_URL", "")
    host = urlsplit(url).hostname
    if host not in LOOPBACK_HOSTS:
        raise SystemExit(
            f"AWS_ENDPOINT_URL must be a loopback URL such as "
            f"http://127.0.0.1:PORT, got {url!r}; start the sandbox with sandbox/up"
        )
    return url


def isolate_environment() -> None:
    """Drop settings that could make botocore look for real credentials."""
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    os.environ["AWS_ACCESS_KEY_ID"] = DUMMY_KEY
    os.environ["AWS_SECRET_ACCESS_KEY"] = DUMMY_KEY
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        os.environ.pop(name, None)
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull


def client(service: str, region: str, max_attempts: int = 2) -> Any:
    """Create a boto3 client for `service` in `region` on the local endpoint.

    The connect timeout is short and retries are few: the endpoint is local,
    so a slow response means it is down or overloaded, and callers move on.
    """
    isolate_environment()
    config = Config(
        connect_timeout=5,
        read_timeout=60,
        retries={"max_attempts": max_attempts, "mode": "standard"},
    )
    return boto3.client(  # type: ignore[call-overload]  # the stubs type `service` as a Literal
        service,
        region_name=region,
        endpoint_url=endpoint_url(),
        aws_access_key_id=DUMMY_KEY,
        aws_secret_access_key=DUMMY_KEY,
        config=config,
    )
