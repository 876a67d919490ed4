"""A local AWS endpoint for deploy tests: moto's server on 127.0.0.1, Terraform and CloudFormation against it.

What this gives a test
----------------------
* :func:`local_aws` - a context manager that starts moto's ``ThreadedMotoServer`` **in this process** on
  127.0.0.1 and a free port (port 0, the OS picks), patches moto (below), yields a :class:`LocalAWS`, and
  stops the server on exit. It needs moto's ``[server]`` extra (flask, flask-cors) and skips, saying so,
  without it. :func:`local_aws_fixture` is the same thing as a session-scoped pytest fixture, for a
  ``conftest.py`` to import; a test module can instead wrap :func:`local_aws` in a fixture of its own, as
  ``tests/test_deploy_local.py`` does (module scope, plus :meth:`LocalAWS.reset` before each test).
* :meth:`LocalAWS.env` - the environment for subprocesses: dummy credentials (``AWS_ACCESS_KEY_ID=testing``,
  ``AWS_SECRET_ACCESS_KEY=testing``, ``AWS_SESSION_TOKEN=testing``), the region, ``AWS_ENDPOINT_URL`` and no
  profile / shared config, so nothing a child starts can reach a real account.
* :func:`terraform_apply` - writes a CLI config that installs providers only from the filesystem mirror
  (``/opt/tf-plugins``, or ``$ASL_GEN_TF_MIRROR``), a root module whose ``provider "aws"`` points every
  service it needs (sts, iam, sfn, logs - the provider's endpoint keys) at the server and calls
  ``module "x" { source = "./<relative path>" }``, then runs ``terraform init`` and ``terraform apply`` and
  returns the root outputs and the time taken. The source must be relative: given an absolute path Terraform
  copies the module directory alone into ``.terraform/modules``, and ``file("${path.module}/../x.asl.json")``
  then finds nothing.
  :func:`terraform_skip_reason` says why it cannot run (no terraform binary, no mirror, no AWS provider in it).
* :func:`cloudformation_deploy` - ``create_stack`` with a template body, waits for ``CREATE_COMPLETE`` (moto
  finishes synchronously) and returns outputs, physical resource ids and the time taken.
* Read-back: :meth:`LocalAWS.state_machines`, :meth:`LocalAWS.state_machine` (the ``definition`` string
  parsed), :meth:`LocalAWS.role` (``AssumeRolePolicyDocument`` normalised to a dict: moto returns it either
  URL-encoded or already decoded), :meth:`LocalAWS.role_policy` / :meth:`LocalAWS.role_policies` (inline
  policy documents as dicts), :meth:`LocalAWS.role_attached_policies` (managed ones),
  :meth:`LocalAWS.roles`, :meth:`LocalAWS.log_groups`; :meth:`LocalAWS.reset` empties every backend.

boto3 is a test-only dependency (it comes with moto); nothing under ``asl_gen/`` may import it.

Patches to moto (applied once, in-process, by :func:`patch_moto`)
---------------------------------------------------------------
moto dispatches the Step Functions JSON protocol on the ``X-Amz-Target`` header
(``AWSStepFunctions.<Action>``): ``BaseResponse.call_action`` turns ``<Action>`` into snake case and calls the
method of that name on ``moto.stepfunctions.responses.StepFunctionResponse``, then serialises what it returns
with botocore's model for the operation. moto 5.2's standard Step Functions responder has no method for two
actions the Terraform AWS provider (5.x) calls on ``aws_sfn_state_machine``: the server answers them with
HTTP 500 (``NotImplementedError``) and ``terraform apply`` fails. The harness adds them as methods on
``StepFunctionResponse``:

1. ``ValidateStateMachineDefinition`` - parses the definition with moto's own ASL parser and static analyser
   (``moto.stepfunctions.parser``: ``StaticAnalyser``, or ``ExpressStaticAnalyser`` for ``type=EXPRESS``) and
   answers ``{"result": "OK", "diagnostics": [], "truncated": false}``, or ``FAIL`` with one
   ``SCHEMA_VALIDATION_FAILED`` ERROR diagnostic carrying the parser's message, the way AWS does.
2. ``ListStateMachineVersions`` - lists the versions moto keeps for the state machine (``publish = true``), newest
   first; an empty list when none was published.

Five more patches make what is deployed match what was asked, so a read-back can check it:

3. ``CreateStateMachine`` keeps the ``type`` (moto 5.2 drops it and reports every machine as ``STANDARD``).
4. CloudFormation ``AWS::StepFunctions::StateMachine``: moto reads only ``DefinitionString``, ``RoleArn``,
   ``StateMachineName`` and ``Tags``. The patched handler also takes ``Definition`` (an object, serialised to
   JSON as CloudFormation does), applies ``DefinitionSubstitutions`` (``${Key}`` -> value, as CloudFormation
   does), and passes ``StateMachineType``, ``LoggingConfiguration`` and ``TracingConfiguration`` through
   (CloudFormation's PascalCase keys turned into the API's camelCase). ``DefinitionS3Location`` is refused.
   ``Fn::GetAtt`` also answers ``Arn`` and ``StateMachineRevisionId`` (moto keeps no revisions: the machine's
   update time stands for one).
5. CloudFormation ``AWS::IAM::Role``: moto stores each ``Policies[].PolicyDocument`` object as it is, and
   ``GetRolePolicy`` then answers its Python ``repr`` (single quotes, not JSON). The patched handler turns each
   document into a JSON string first, as CloudFormation does.
6. CloudFormation ``AWS::IAM::RolePolicy`` (one inline policy on one role) is registered, creating an inline
   policy on the named role; moto knows only ``AWS::IAM::Policy``.

7. CloudFormation ``AWS::StepFunctions::StateMachineVersion`` (publishes the machine's current definition; Ref
   and ``Arn`` give the version ARN) and ``AWS::StepFunctions::StateMachineAlias`` (``Name``,
   ``RoutingConfiguration``, ``Description``; Ref and ``Arn`` give the alias ARN; ``DeploymentPreference`` is
   refused) are registered; moto skips both with a warning and the stack still reports ``CREATE_COMPLETE``.

moto's backends are module-level state shared by everything in this process: a test that uses ``mock_aws``
resets them when it starts and stops. Tests that deploy here should reset first (or use names of their own)
and read back in the same test.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
DUMMY = "testing"

TERRAFORM = os.environ.get("ASL_GEN_TERRAFORM", "terraform")
TF_MIRROR_DEFAULT = "/opt/tf-plugins"
AWS_PROVIDER_DIR = "registry.terraform.io/hashicorp/aws"

_PATCHED = False
_KEEP: list[type] = []


# --------------------------------------------------------------------------------------------- moto patches


def _validate_state_machine_definition(self: Any) -> Any:
    from moto.core.responses import ActionResult
    from moto.stepfunctions.parser.asl.static_analyser.express_static_analyser import (
        ExpressStaticAnalyser,
    )
    from moto.stepfunctions.parser.asl.static_analyser.static_analyser import StaticAnalyser

    definition = self._get_param("definition") or ""
    sm_type = self._get_param("type") or "STANDARD"
    analyser = ExpressStaticAnalyser() if sm_type == "EXPRESS" else StaticAnalyser()
    try:
        analyser.analyse(definition)
    except Exception as exc:  # the parser raises its own and plain exceptions alike
        message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        return ActionResult(
            {
                "result": "FAIL",
                "diagnostics": [
                    {
                        "severity": "ERROR",
                        "code": "SCHEMA_VALIDATION_FAILED",
                        "message": str(message)[:1000],
                    }
                ],
                "truncated": False,
            }
        )
    return ActionResult({"result": "OK", "diagnostics": [], "truncated": False})


def _list_state_machine_versions(self: Any) -> Any:
    from moto.core.responses import ActionResult

    arn = self._get_param("stateMachineArn")
    machine = self.stepfunction_backend.describe_state_machine(arn)
    versions = sorted(
        getattr(machine, "versions", {}).values(),
        key=lambda v: v.version,
        reverse=True,
    )
    items = [{"stateMachineVersionArn": v.arn, "creationDate": v.creation_date} for v in versions]
    return ActionResult({"stateMachineVersions": items})


def _wrap_create_state_machine(original: Any) -> Any:
    def create_state_machine(self: Any) -> Any:
        result = original(self)
        sm_type = self._get_param("type")
        if sm_type:
            name = self._get_param("name")
            for machine in self.stepfunction_backend.state_machines:
                if machine.name == name:
                    machine.type = sm_type
                    machine.sm_type = sm_type
        return result

    return create_state_machine


_PASCAL_KEYS = {
    "Level": "level",
    "IncludeExecutionData": "includeExecutionData",
    "Destinations": "destinations",
    "CloudWatchLogsLogGroup": "cloudWatchLogsLogGroup",
    "LogGroupArn": "logGroupArn",
    "Enabled": "enabled",
}


def _camel(value: Any) -> Any:
    if isinstance(value, dict):
        return {_PASCAL_KEYS.get(k, k[:1].lower() + k[1:]): _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def substitute_definition(definition: str, substitutions: Mapping[str, Any]) -> str:
    """Replace ``${Key}`` in a definition string the way CloudFormation's ``DefinitionSubstitutions`` does."""
    out = definition
    for key, value in substitutions.items():
        text = value if isinstance(value, str) else json.dumps(value)
        out = out.replace("${" + key + "}", text)
    return out


def _cfn_create_state_machine(
    cls: Any,
    /,
    resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> Any:
    from moto.stepfunctions.models import stepfunctions_backends
    from moto.stepfunctions.utils import cfn_to_api_tags

    properties = cloudformation_json["Properties"]
    if "DefinitionS3Location" in properties:
        raise NotImplementedError("DefinitionS3Location is not supported by the local harness")
    name = properties.get("StateMachineName", resource_name)
    if "Definition" in properties:
        definition = json.dumps(properties["Definition"])
    else:
        definition = properties.get("DefinitionString", "")
    definition = substitute_definition(definition, properties.get("DefinitionSubstitutions") or {})
    tags = cfn_to_api_tags(properties.get("Tags", []))
    logging = properties.get("LoggingConfiguration")
    tracing = properties.get("TracingConfiguration")
    backend = stepfunctions_backends[account_id][region_name]
    machine = backend.create_state_machine(
        name,
        definition,
        properties.get("RoleArn", ""),
        tags=tags,
        loggingConfiguration=_camel(logging) if logging else None,
        tracingConfiguration=_camel(tracing) if tracing else None,
    )
    sm_type = properties.get("StateMachineType")
    if sm_type:
        machine.type = sm_type
        machine.sm_type = sm_type
    return machine


def _state_machine_has_cfn_attr(original: Any) -> Any:
    def has_cfn_attr(cls: Any, /, attr: str) -> bool:
        return attr in ("Arn", "StateMachineRevisionId") or bool(original(cls, attr))

    return has_cfn_attr


def _state_machine_get_cfn_attribute(original: Any) -> Any:
    def get_cfn_attribute(self: Any, attribute_name: str) -> Any:
        if attribute_name == "Arn":
            return self.arn
        if attribute_name == "StateMachineRevisionId":
            # moto keeps no revisions; the update time stands for one (it changes when the machine does)
            return str(self.update_date)
        return original(self, attribute_name)

    return get_cfn_attribute


def _cfn_role_policies_as_json(original: Any) -> Any:
    def create_from_cloudformation_json(
        cls: Any,
        /,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        for policy in cloudformation_json.get("Properties", {}).get("Policies", []):
            if not isinstance(policy.get("PolicyDocument"), str):
                policy["PolicyDocument"] = json.dumps(policy["PolicyDocument"])
        return original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)

    return create_from_cloudformation_json


def _register_role_policy_resource() -> None:
    from moto.cloudformation import parsing
    from moto.core.common_models import CloudFormationModel
    from moto.iam.models import iam_backends
    from moto.utilities.utils import get_partition

    if "AWS::IAM::RolePolicy" in parsing.get_model_map():
        return

    class RolePolicy(CloudFormationModel):
        """``AWS::IAM::RolePolicy``: one inline policy on one role."""

        def __init__(self, role_name: str, policy_name: str) -> None:
            self.role_name = role_name
            self.name = policy_name

        @property
        def physical_resource_id(self) -> str:
            return f"{self.role_name}|{self.name}"

        @staticmethod
        def cloudformation_name_type() -> str:
            return "PolicyName"

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::IAM::RolePolicy"

        @classmethod
        def create_from_cloudformation_json(
            cls,
            resource_name: str,
            cloudformation_json: Any,
            account_id: str,
            region_name: str,
            **kwargs: Any,
        ) -> RolePolicy:
            properties = cloudformation_json["Properties"]
            document = properties["PolicyDocument"]
            if not isinstance(document, str):
                document = json.dumps(document)
            backend = iam_backends[account_id][get_partition(region_name)]
            backend.put_role_policy(properties["RoleName"], properties["PolicyName"], document)
            return cls(properties["RoleName"], properties["PolicyName"])

        @classmethod
        def delete_from_cloudformation_json(
            cls,
            resource_name: str,
            cloudformation_json: Any,
            account_id: str,
            region_name: str,
        ) -> None:
            properties = cloudformation_json["Properties"]
            backend = iam_backends[account_id][get_partition(region_name)]
            with contextlib.suppress(Exception):
                backend.delete_role_policy(properties["RoleName"], properties["PolicyName"])

    # moto finds CloudFormation models through CloudFormationModel.__subclasses__(), which holds them weakly,
    # and caches what it found.
    _KEEP.append(RolePolicy)
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()


def _register_version_and_alias_resources() -> None:
    from moto.cloudformation import parsing
    from moto.core.common_models import CloudFormationModel
    from moto.stepfunctions.models import stepfunctions_backends

    known = parsing.get_model_map()

    # The two resources repeat their ARN plumbing instead of sharing a base: moto's model map lists only direct
    # subclasses of CloudFormationModel, so a shared base would hide them from CloudFormation.
    class StateMachineVersionResource(CloudFormationModel):
        """``AWS::StepFunctions::StateMachineVersion``: publishes the machine's current revision."""

        def __init__(self, arn: str) -> None:
            self.arn = arn

        @property
        def physical_resource_id(self) -> str:
            return self.arn

        @staticmethod
        def cloudformation_name_type() -> str:
            return ""

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::StepFunctions::StateMachineVersion"

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return attr == "Arn"

        def get_cfn_attribute(self, attribute_name: str) -> str:
            return self.arn

        @classmethod
        def create_from_cloudformation_json(
            cls,
            resource_name: str,
            cloudformation_json: Any,
            account_id: str,
            region_name: str,
            **kwargs: Any,
        ) -> StateMachineVersionResource:
            properties = cloudformation_json["Properties"]
            backend = stepfunctions_backends[account_id][region_name]
            machine = backend.describe_state_machine(properties["StateMachineArn"])
            machine.publish(description=properties.get("Description"))
            version = machine.latest_version
            assert version is not None
            return cls(version.arn)

    class StateMachineAliasResource(CloudFormationModel):
        """``AWS::StepFunctions::StateMachineAlias`` with ``RoutingConfiguration`` (no ``DeploymentPreference``)."""

        def __init__(self, arn: str) -> None:
            self.arn = arn

        @property
        def physical_resource_id(self) -> str:
            return self.arn

        @staticmethod
        def cloudformation_name_type() -> str:
            return "Name"

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::StepFunctions::StateMachineAlias"

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return attr == "Arn"

        def get_cfn_attribute(self, attribute_name: str) -> str:
            return self.arn

        @classmethod
        def create_from_cloudformation_json(
            cls,
            resource_name: str,
            cloudformation_json: Any,
            account_id: str,
            region_name: str,
            **kwargs: Any,
        ) -> StateMachineAliasResource:
            properties = cloudformation_json["Properties"]
            if "DeploymentPreference" in properties:
                raise NotImplementedError("DeploymentPreference is not supported by the local harness")
            routing = [
                {"stateMachineVersionArn": r["StateMachineVersionArn"], "weight": int(r["Weight"])}
                for r in properties["RoutingConfiguration"]
            ]
            backend = stepfunctions_backends[account_id][region_name]
            alias = backend.create_state_machine_alias(
                properties.get("Name", resource_name), routing, properties.get("Description")
            )
            return cls(alias.arn)

    for model in (StateMachineVersionResource, StateMachineAliasResource):
        if model.cloudformation_type() not in known:
            _KEEP.append(model)
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()


def patch_moto() -> None:
    """Apply the patches described in the module docstring (idempotent)."""
    global _PATCHED
    if _PATCHED:
        return
    from moto.iam.models import Role
    from moto.stepfunctions.models import StateMachine
    from moto.stepfunctions.responses import StepFunctionResponse

    responder: Any = StepFunctionResponse
    if not hasattr(responder, "validate_state_machine_definition"):
        responder.validate_state_machine_definition = _validate_state_machine_definition
    if not hasattr(responder, "list_state_machine_versions"):
        responder.list_state_machine_versions = _list_state_machine_versions
    responder.create_state_machine = _wrap_create_state_machine(responder.create_state_machine)
    model: Any = StateMachine
    model.create_from_cloudformation_json = classmethod(_cfn_create_state_machine)
    model.has_cfn_attr = classmethod(_state_machine_has_cfn_attr(model.has_cfn_attr.__func__))
    model.get_cfn_attribute = _state_machine_get_cfn_attribute(model.get_cfn_attribute)
    role_model: Any = Role
    role_model.create_from_cloudformation_json = classmethod(
        _cfn_role_policies_as_json(role_model.create_from_cloudformation_json.__func__)
    )
    _register_role_policy_resource()
    _register_version_and_alias_resources()
    _PATCHED = True


# ------------------------------------------------------------------------------------------------ the server


def _parse_json_doc(value: Any) -> Any:
    """A policy document as moto returns it: a dict, a JSON string, or a URL-encoded JSON string."""
    if isinstance(value, (dict, list)):
        return value
    text = str(value)
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return json.loads(urllib.parse.unquote(text))


@dataclass
class LocalAWS:
    """A running moto server and boto3 clients pointed at it."""

    url: str
    region: str = REGION
    _clients: dict[str, Any] = field(default_factory=dict)

    def env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """Environment for a subprocess: dummy credentials, this region, nothing from the real config."""
        env = dict(os.environ if base is None else base)
        for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"):
            env.pop(key, None)
        env.update(
            {
                "AWS_ACCESS_KEY_ID": DUMMY,
                "AWS_SECRET_ACCESS_KEY": DUMMY,
                "AWS_SESSION_TOKEN": DUMMY,
                "AWS_SECURITY_TOKEN": DUMMY,
                "AWS_DEFAULT_REGION": self.region,
                "AWS_REGION": self.region,
                "AWS_ENDPOINT_URL": self.url,
                "AWS_CONFIG_FILE": os.devnull,
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                "AWS_EC2_METADATA_DISABLED": "true",
            }
        )
        return env

    def client(self, service: str) -> Any:
        """A boto3 client for ``service`` on this endpoint (cached)."""
        if service not in self._clients:
            import boto3

            self._clients[service] = boto3.client(
                service,
                endpoint_url=self.url,
                region_name=self.region,
                aws_access_key_id=DUMMY,
                aws_secret_access_key=DUMMY,
                aws_session_token=DUMMY,
            )
        return self._clients[service]

    def reset(self) -> None:
        """Empty every moto backend (``POST /moto-api/reset``): the next deploy starts from nothing."""
        request = urllib.request.Request(self.url + "/moto-api/reset", method="POST", data=b"")
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    # ---- read-back

    def roles(self) -> list[str]:
        """Every role's name."""
        names: list[str] = []
        for page in self.client("iam").get_paginator("list_roles").paginate():
            names.extend(r["RoleName"] for r in page["Roles"])
        return names

    def state_machines(self) -> dict[str, str]:
        """Every state machine: name -> ARN."""
        out: dict[str, str] = {}
        for page in self.client("stepfunctions").get_paginator("list_state_machines").paginate():
            for item in page["stateMachines"]:
                out[item["name"]] = item["stateMachineArn"]
        return out

    def state_machine(self, name_or_arn: str) -> dict[str, Any]:
        """``DescribeStateMachine`` with ``definition`` parsed (the raw string kept in ``definitionString``)."""
        arn = name_or_arn if name_or_arn.startswith("arn:") else self.state_machines()[name_or_arn]
        described = dict(self.client("stepfunctions").describe_state_machine(stateMachineArn=arn))
        described.pop("ResponseMetadata", None)
        described["definitionString"] = described["definition"]
        described["definition"] = json.loads(described["definition"])
        return described

    def role(self, name: str) -> dict[str, Any]:
        """``GetRole``'s role with ``AssumeRolePolicyDocument`` as a dict."""
        role = dict(self.client("iam").get_role(RoleName=name)["Role"])
        role["AssumeRolePolicyDocument"] = _parse_json_doc(role["AssumeRolePolicyDocument"])
        return role

    def role_policy(self, role: str, policy: str) -> Any:
        """An inline policy's document as a dict."""
        got = self.client("iam").get_role_policy(RoleName=role, PolicyName=policy)
        return _parse_json_doc(got["PolicyDocument"])

    def role_policies(self, role: str) -> dict[str, Any]:
        """Every inline policy of a role: name -> document."""
        names = self.client("iam").list_role_policies(RoleName=role)["PolicyNames"]
        return {name: self.role_policy(role, name) for name in names}

    def role_attached_policies(self, role: str) -> dict[str, Any]:
        """Every managed policy attached to a role: ARN -> default version's document."""
        iam = self.client("iam")
        out: dict[str, Any] = {}
        for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role):
            for attached in page["AttachedPolicies"]:
                arn = attached["PolicyArn"]
                version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
                document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
                out[arn] = _parse_json_doc(document)
        return out

    def log_groups(self, prefix: str = "") -> dict[str, dict[str, Any]]:
        kwargs = {"logGroupNamePrefix": prefix} if prefix else {}
        groups = self.client("logs").describe_log_groups(**kwargs)["logGroups"]
        return {g["logGroupName"]: g for g in groups}


@contextlib.contextmanager
def local_aws(region: str = REGION) -> Iterator[LocalAWS]:
    """Start moto's server in this process on 127.0.0.1 and a free port; stop it on exit."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:  # moto without its [server] extra (flask, flask-cors)
        pytest.skip(f"moto's server cannot start here ({exc}); install moto[server]")
    patch_moto()
    quiet = {
        name: logging.getLogger(name)
        for name in (
            "werkzeug",  # one line per request
            # "Unsupported Optimised service integration ..." for every SageMaker task, on every validation
            "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_unsupported",
        )
    }
    levels = {name: logger.level for name, logger in quiet.items()}
    for logger in quiet.values():
        logger.setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = LocalAWS(url=f"http://{host}:{port}", region=region)
        endpoint.reset()  # moto's backends are process-wide: start from an empty account
        yield endpoint
    finally:
        server.stop()
        for name, logger in quiet.items():
            logger.setLevel(levels[name])


@pytest.fixture(scope="session")
def local_aws_fixture() -> Iterator[LocalAWS]:
    """Session-scoped :func:`local_aws`."""
    with local_aws() as aws:
        yield aws


# -------------------------------------------------------------------------------------------------- terraform


def tf_mirror() -> Path:
    return Path(os.environ.get("ASL_GEN_TF_MIRROR") or TF_MIRROR_DEFAULT)


def terraform_skip_reason() -> str | None:
    """Why :func:`terraform_apply` cannot run here, or None when it can."""
    if shutil.which(TERRAFORM) is None:
        return f"terraform not found on PATH ({TERRAFORM!r}); set ASL_GEN_TERRAFORM or install it"
    mirror = tf_mirror()
    if not (mirror / AWS_PROVIDER_DIR).is_dir():
        return (
            f"no AWS provider in the Terraform provider mirror {mirror} (expected {mirror / AWS_PROVIDER_DIR}); "
            "set ASL_GEN_TF_MIRROR to a filesystem mirror that has hashicorp/aws"
        )
    return None


def write_cli_config(path: Path, mirror: Path | None = None) -> Path:
    """A Terraform CLI config that installs registry providers from the filesystem mirror only."""
    mirror = mirror or tf_mirror()
    path.write_text(
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f"    path    = {json.dumps(str(mirror))}\n"
        '    include = ["registry.terraform.io/*/*"]\n'
        "  }\n"
        "  direct {\n"
        '    exclude = ["registry.terraform.io/*/*"]\n'
        "  }\n"
        "}\n",
        encoding="utf-8",
    )
    return path


def module_source_path(module_dir: Path, root_dir: Path) -> str:
    """``module_dir`` as a local module source seen from ``root_dir``.

    It must start with ``./`` or ``../``: Terraform takes an absolute path for a remote (go-getter) source
    and copies the directory alone into ``.terraform/modules``, where ``${path.module}/../`` finds nothing.
    """
    rel = os.path.relpath(module_dir.resolve(), root_dir.resolve()).replace(os.sep, "/")
    return rel if rel.startswith("../") else "./" + rel


def root_module(
    aws: LocalAWS,
    module_source: str,
    module_name: str = "x",
    variables: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A JSON-syntax root module: the AWS provider aimed at ``aws`` and one module call."""
    endpoints = {service: aws.url for service in ("sts", "iam", "sfn", "logs")}
    module: dict[str, Any] = {"source": module_source}
    module.update(variables or {})
    return {
        "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws"}}},
        "provider": {
            "aws": {
                "region": aws.region,
                "access_key": DUMMY,
                "secret_key": DUMMY,
                "skip_credentials_validation": True,
                "skip_requesting_account_id": True,
                "skip_metadata_api_check": True,
                "skip_region_validation": True,
                "s3_use_path_style": True,
                "endpoints": [endpoints],
            }
        },
        "module": {module_name: module},
    }


@dataclass
class TerraformResult:
    outputs: dict[str, Any]
    seconds: float
    init_seconds: float
    apply_seconds: float
    workdir: Path


def _run(cmd: list[str], cwd: Path, env: Mapping[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise AssertionError(
            f"{' '.join(cmd)} failed with {proc.returncode}\n--- stdout\n{proc.stdout[-6000:]}\n"
            f"--- stderr\n{proc.stderr[-6000:]}"
        )
    return proc


def terraform_apply(
    aws: LocalAWS,
    module_source: Path,
    workdir: Path,
    *,
    module_name: str = "x",
    variables: Mapping[str, Any] | None = None,
    outputs: Mapping[str, str] | None = None,
    timeout: float = 600,
) -> TerraformResult:
    """``terraform init`` + ``apply`` of a root module calling ``module_source`` against ``aws``.

    ``outputs`` maps root output names to expressions (e.g. ``{"arn": "module.x.state_machine_arns"}``);
    without it every output the module declares (read from a ``*.tf.json`` file) is re-exported.
    Returns the root outputs' values. The caller skips first with :func:`terraform_skip_reason`.
    """
    reason = terraform_skip_reason()
    if reason:
        pytest.skip(reason)
    workdir.mkdir(parents=True, exist_ok=True)
    root = root_module(aws, module_source_path(module_source, workdir), module_name, variables)
    if outputs is None:
        outputs = {name: f"module.{module_name}.{name}" for name in _module_outputs(module_source)}
    if outputs:
        root["output"] = {name: {"value": "${" + expr + "}"} for name, expr in outputs.items()}
    (workdir / "main.tf.json").write_text(json.dumps(root, indent=2) + "\n", encoding="utf-8")
    env = aws.env()
    env["TF_CLI_CONFIG_FILE"] = str(write_cli_config(workdir / "terraformrc"))
    env["TF_IN_AUTOMATION"] = "1"
    env["CHECKPOINT_DISABLE"] = "1"
    env["TF_DATA_DIR"] = str(workdir / ".terraform")
    env.pop("TF_PLUGIN_CACHE_DIR", None)
    tf = shutil.which(TERRAFORM) or TERRAFORM
    start = time.monotonic()
    _run([tf, "init", "-input=false", "-no-color"], workdir, env, timeout)
    inited = time.monotonic()
    _run([tf, "apply", "-auto-approve", "-input=false", "-no-color"], workdir, env, timeout)
    applied = time.monotonic()
    shown = _run([tf, "output", "-json", "-no-color"], workdir, env, timeout)
    values = {name: item["value"] for name, item in json.loads(shown.stdout or "{}").items()}
    return TerraformResult(
        outputs=values,
        seconds=applied - start,
        init_seconds=inited - start,
        apply_seconds=applied - inited,
        workdir=workdir,
    )


def terraform_plan_changes(aws: LocalAWS, workdir: Path, timeout: float = 600) -> str | None:
    """After :func:`terraform_apply` in ``workdir``: None when ``terraform plan`` finds nothing to change,
    else the plan's text (a module whose resources drift after apply reads back differently from what it set).
    """
    env = aws.env()
    env["TF_CLI_CONFIG_FILE"] = str(workdir / "terraformrc")
    env["TF_IN_AUTOMATION"] = "1"
    env["CHECKPOINT_DISABLE"] = "1"
    env["TF_DATA_DIR"] = str(workdir / ".terraform")
    tf = shutil.which(TERRAFORM) or TERRAFORM
    cmd = [tf, "plan", "-detailed-exitcode", "-input=false", "-no-color", "-lock=false"]
    proc = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode == 0:
        return None
    if proc.returncode == 2:
        return proc.stdout
    raise AssertionError(f"terraform plan failed with {proc.returncode}\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}")


def _module_outputs(module_source: Path) -> list[str]:
    names: list[str] = []
    for path in sorted(module_source.glob("*.tf.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        names.extend(doc.get("output", {}))
    for path in sorted(module_source.glob("*.tf")):
        names.extend(re.findall(r'^output\s+"([^"]+)"', path.read_text(encoding="utf-8"), re.M))
    return names


# --------------------------------------------------------------------------------------------- cloudformation


@dataclass
class StackResult:
    outputs: dict[str, str]
    resources: dict[str, str]  # logical id -> physical id
    status: str
    seconds: float


def cloudformation_deploy(
    aws: LocalAWS,
    template: str | Mapping[str, Any],
    stack_name: str,
    parameters: Mapping[str, str] | None = None,
) -> StackResult:
    """Create a stack from ``template`` (a body or a parsed template), wait, and return what it made."""
    body = template if isinstance(template, str) else json.dumps(template)
    cfn = aws.client("cloudformation")
    start = time.monotonic()
    cfn.create_stack(
        StackName=stack_name,
        TemplateBody=body,
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in (parameters or {}).items()],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    cfn.get_waiter("stack_create_complete").wait(StackName=stack_name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    seconds = time.monotonic() - start
    stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
    resources = {
        r["LogicalResourceId"]: r.get("PhysicalResourceId", "")
        for r in cfn.list_stack_resources(StackName=stack_name)["StackResourceSummaries"]
    }
    return StackResult(
        outputs={o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])},
        resources=resources,
        status=stack["StackStatus"],
        seconds=seconds,
    )


__all__ = [
    "ACCOUNT",
    "REGION",
    "LocalAWS",
    "StackResult",
    "TerraformResult",
    "cloudformation_deploy",
    "local_aws",
    "local_aws_fixture",
    "module_source_path",
    "patch_moto",
    "root_module",
    "substitute_definition",
    "terraform_apply",
    "terraform_plan_changes",
    "terraform_skip_reason",
    "tf_mirror",
    "write_cli_config",
]


def run_to_end(
    stepfunctions: Any, definition: str, execution_input: Mapping[str, Any], *, poll_seconds: float = 0.1
) -> tuple[str, list[dict[str, Any]]]:
    """Create a state machine in moto (in process, execution on), run it until it stops or 60 s pass, and return
    the execution's status and history."""
    arn = stepfunctions.create_state_machine(
        name=f"run-{time.monotonic_ns()}", definition=definition, roleArn="arn:aws:iam::123456789012:role/sfn"
    )["stateMachineArn"]
    execution = stepfunctions.start_execution(stateMachineArn=arn, input=json.dumps(execution_input))
    deadline = time.monotonic() + 60
    status = "RUNNING"
    while status == "RUNNING" and time.monotonic() < deadline:
        time.sleep(poll_seconds)
        # describe_execution cannot serialise moto's datetime outputs; the list carries the status.
        status = stepfunctions.list_executions(stateMachineArn=arn)["executions"][0]["status"]
    events: list[dict[str, Any]] = stepfunctions.get_execution_history(executionArn=execution["executionArn"])["events"]
    return status, events
