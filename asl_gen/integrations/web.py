"""Rows for calls over HTTP: API Gateway (`apigateway:invoke`) and any HTTPS API (`http:invoke`, the HTTP Task).

They follow `api-gateway-iam` and the HTTP Task's permissions in `call-https-apis` (Step Functions developer guide).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from asl_gen.integrations import model
from asl_gen.integrations.model import ArnParam, Condition, Context, Grant, Integration, RequestArns
from asl_gen.integrations.references import ACCOUNT, PARTITION, REGION, here

# ---- API Gateway ----------------------------------------------------------------------------------------------

_API_HOST = rf"(?P<api>[a-z0-9]{{1,32}})\.execute-api\.(?P<region>{REGION})\.amazonaws\.com(?:\.cn)?"
_ROUTE_PART = r"[^*?\s]*"


def _route(request: Mapping[str, Any], dynamic: frozenset[str], target: Context) -> tuple[str, ...] | str:
    """`execute-api:Invoke` is authorised on `<api>/<stage>/<METHOD>/<path>`: every part the request gives as a
    constant narrows it; the first part that is not one ends the ARN with `*`.

    A call with `AuthType` NO_AUTH (the default) is not signed, so IAM never sees it: nothing is granted.
    """
    if "AuthType" not in dynamic and request.get("AuthType", "NO_AUTH") == "NO_AUTH":
        return ()
    endpoint = request.get("ApiEndpoint")
    region, api = target.region, "*"
    if isinstance(endpoint, str):
        match = re.fullmatch(_API_HOST, endpoint)
        if match is None:
            return f"ApiEndpoint {endpoint!r} is not <api-id>.execute-api.<region>.amazonaws.com"
        region, api = match["region"], match["api"]
    parts = [api]
    for name in ("Stage", "Method", "Path"):
        value = request.get(name)
        if name in dynamic or (value is None and name != "Path"):
            parts.append("*")
            break
        text = str(value or "").lstrip("/")
        if not re.fullmatch(_ROUTE_PART, text):
            return f"{name} {value!r} cannot be part of an execute-api ARN"
        parts.append(text.upper() if name == "Method" else text)
    route = "/".join(parts)
    route = route[: route.index("*") + 1] if "*" in route else route
    return (f"arn:{target.partition}:execute-api:{region}:{target.account}:{route}",)


API_ROUTE = RequestArns(("ApiEndpoint", "Stage", "Method", "Path", "AuthType"), _route)

# ---- HTTP Task ------------------------------------------------------------------------------------------------

_CONNECTION = (
    rf"arn:(?P<partition>{PARTITION}):events:(?P<region>{REGION}):(?P<account>{ACCOUNT}):"
    r"connection/(?P<name>[A-Za-z0-9._-]{1,64})/(?P<id>[A-Za-z0-9-]{1,64})"
)


def _connection(value: str, target: Context) -> tuple[str, ...] | None:
    return (value,) if re.fullmatch(_CONNECTION, value) else None


def _connection_secret(value: str, target: Context) -> tuple[str, ...] | None:
    """EventBridge keeps a connection's credentials in the secret `events!connection/<name>/<id>-<suffix>`."""
    match = re.fullmatch(_CONNECTION, value)
    if match is None:
        return None
    head = f"arn:{match['partition']}:secretsmanager:{match['region']}:{match['account']}"
    return (f"{head}:secret:events!connection/{match['name']}/*",)


HTTP_WHY = (
    "the IAM reference gives states:InvokeHTTPEndpoint no resource type, so IAM accepts only '*' (the HTTP Task page's "
    "example names the state machine, which '*' covers); the states:HTTPMethod and states:HTTPEndpoint conditions "
    "narrow it to this Task's call"
)
CONNECTION = ArnParam("Authentication.ConnectionArn", _connection, here("events", "connection/*"))
CONNECTION_SECRET = ArnParam(
    "Authentication.ConnectionArn", _connection_secret, here("secretsmanager", "secret:events!connection/*")
)

# ---- Rows -----------------------------------------------------------------------------------------------------

OPTIMIZED: tuple[Integration, ...] = (
    Integration(
        "apigateway",
        "invoke",
        model.RR_CALLBACK,
        # Needed when the call is signed: AuthType IAM_ROLE, or RESOURCE_POLICY (the API's policy may name the
        # account rather than the role); an unsigned NO_AUTH call needs nothing.
        (Grant(("execute-api:Invoke",), (API_ROUTE,)),),
        required=("ApiEndpoint", "Method"),
    ),
    Integration(
        "http",
        "invoke",
        model.ONLY_REQUEST_RESPONSE,
        (
            # Narrowed to the method and URL the Task calls: Step Functions sets both condition keys on the request.
            Grant(
                ("states:InvokeHTTPEndpoint",),
                ("*",),
                unscoped_because=HTTP_WHY,
                conditions=(
                    Condition("StringEquals", "states:HTTPMethod", "{Method}"),
                    Condition("StringLike", "states:HTTPEndpoint", "{ApiEndpoint}"),
                ),
            ),
            Grant(("events:RetrieveConnectionCredentials",), (CONNECTION,)),
            Grant(("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"), (CONNECTION_SECRET,)),
        ),
        required=("ApiEndpoint", "Method", "Authentication"),
    ),
)
