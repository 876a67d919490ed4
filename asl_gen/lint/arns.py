"""The Resource of a Task (and of a Map's ItemReader and ResultWriter): an ARN, and a pattern the service offers.

Imports `integrations` lazily: the service rows are needed only when a definition has a Task resource.
"""

from __future__ import annotations

import re

_PARTITION = r"(?:aws(?:-[a-z]+)*|\$\{[^}]+\})"
_ARN = re.compile(
    r"arn:(?P<partition>[^:]*):(?P<service>[^:]*):(?P<region>[^:]*):(?P<account>[^:]*):(?P<resource>.*)", re.DOTALL
)
_INTEGRATION = re.compile(r"(?P<service>[a-z0-9-]+):(?P<api>[A-Za-z0-9]+)(?P<suffix>\.sync(:2)?|\.waitForTaskToken)?")
_SDK_INTEGRATION = re.compile(r"aws-sdk:[a-z0-9-]+:[A-Za-z0-9]+(?P<suffix>\.[A-Za-z0-9:]+)?")
_LAMBDA_FUNCTION = re.compile(r"function:[A-Za-z0-9_-]{1,64}(:(\$LATEST|[A-Za-z0-9_-]{1,128}))?")


def _pattern_error(key: str, pattern: str) -> str | None:
    """A known integration called with a pattern AWS does not offer for it (`.sync` on createModel).

    A call asl-gen has no row for passes: AWS adds services and APIs faster than any table.
    """
    # Imported here: `integrations` loads the service rows, which the validator needs only for Task resources.
    from asl_gen.integrations import CALLBACK, REQUEST_RESPONSE, SYNC, SYNC2, find

    row = find(key)
    if row is None or pattern in row.patterns:
        return None
    names = [p or "request-response" for p in (REQUEST_RESPONSE, SYNC, SYNC2, CALLBACK) if p in row.patterns]
    supported = names[0] + " only" if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{key} supports {supported}, not {pattern or 'request-response'}"


def resource_error(resource: str) -> str | None:
    if resource.startswith("{%"):
        return "'Resource' must be a constant ARN; JSONata is not evaluated there"
    match = _ARN.fullmatch(resource)
    if match is None:
        return f"Resource {resource!r} is not an ARN (arn:<partition>:<service>:<region>:<account>:<resource>)"
    if not re.fullmatch(_PARTITION, match["partition"]):
        return f"Resource {resource!r} has an unknown partition {match['partition']!r} (aws, aws-cn, aws-us-gov, …)"
    service, rest = match["service"], match["resource"]
    if not service or not rest:
        return f"Resource {resource!r} is missing its service or resource part"
    if service == "states" and not match["region"] and not match["account"]:
        sdk = _SDK_INTEGRATION.fullmatch(rest)
        if sdk is not None:
            if sdk["suffix"] not in (None, ".waitForTaskToken"):
                return f"AWS SDK integrations support only request-response and .waitForTaskToken, not {sdk['suffix']}"
            suffix = sdk["suffix"] or ""
            return _pattern_error(rest[: len(rest) - len(suffix)], suffix)
        integration = _INTEGRATION.fullmatch(rest)
        if integration is None:
            example = "arn:aws:states:::sagemaker:createTrainingJob.sync"
            return f"Resource {resource!r} is not a service integration like {example}"
        return _pattern_error(f"{integration['service']}:{integration['api']}", integration["suffix"] or "")
    if service == "lambda" and _LAMBDA_FUNCTION.fullmatch(rest) is None:
        return f"Resource {resource!r} is not a Lambda function ARN (…:function:<name>[:<version or alias>])"
    return None
