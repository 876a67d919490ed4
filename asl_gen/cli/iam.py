"""`asl-gen iam`: the least-privilege policy of the Step Functions role, derived from ASL definitions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from asl_gen.cli.app import command, console_for, display, placeholder_options, run, text_or_json_option
from asl_gen.cli.console import VERBOSE
from asl_gen.cli.machines import located_lines, machine_name
from asl_gen.errors import Problem, UsageError


def _resource_option(values: Sequence[str]) -> dict[str, tuple[str, ...]]:
    declared: dict[str, list[str]] = {}
    for value in values:
        state, sep, arn = value.partition("=")
        if not sep or not state or not (arn.startswith("arn:") or arn == "*"):
            raise UsageError(
                Problem(
                    f"--resource {value!r} is not STATE=ARN (or STATE='*')",
                    hint="e.g. --resource 'Read config=arn:aws:s3:::b/k'; '*' only for actions without resource types",
                )
            )
        declared.setdefault(state, []).append(arn)
    return {state: tuple(arns) for state, arns in declared.items()}


def _substitutions(values: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name:
            raise UsageError(Problem(f"--sub {value!r} is not NAME=VALUE", hint="e.g. --sub FunctionArn=arn:aws:…"))
        found[name.removeprefix("${").removesuffix("}")] = text
    return found


@command(
    click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path)),
    click.option("--region", required=True, help="Region the state machines run in, e.g. eu-west-1."),
    click.option("--account", required=True, help="12-digit account ID the state machines run in."),
    click.option("--name", help="State machine name, for its own ARN (default: the file name without .asl.json)."),
    click.option(
        "--resource",
        "resources",
        multiple=True,
        metavar="STATE=ARN",
        help="ARN an AWS SDK call asl-gen has no row for acts on (repeatable); '*' where IAM's catalogue says the "
        "call's actions take no resource type.",
    ),
    *placeholder_options(
        "Take ${Name} placeholders (CloudFormation DefinitionSubstitutions, Terraform templatefile) as filled "
        "at deployment: scoped like values from a path; ${AWS::Region}-style ones get --region/--account."
    ),
    click.option(
        "--sub",
        "substitutions",
        multiple=True,
        metavar="NAME=VALUE",
        help="Fill the ${NAME} placeholder with VALUE before deriving (repeatable).",
    ),
    click.option("--logging", is_flag=True, help="The machines log to CloudWatch Logs: add log-delivery actions."),
    click.option("--tracing", is_flag=True, help="The machines are traced with X-Ray: add the X-Ray actions."),
    click.option("--kms-key", help="ARN of the customer managed key that encrypts the machines' data."),
    click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout."),
    text_or_json_option,
)
def iam(
    files: tuple[Path, ...],
    region: str,
    account: str,
    name: str | None,
    resources: tuple[str, ...],
    placeholders: bool,
    placeholder_names: tuple[str, ...],
    substitutions: tuple[str, ...],
    logging: bool,
    tracing: bool,
    kms_key: str | None,
    out_file: Path | None,
    fmt: str,
    debug: bool,
) -> None:
    """Derive the least-privilege policy of the Step Functions role from ASL definitions (JSON or YAML),
    generated or hand-written: every Task, Parallel branch, Map processor, ItemReader and ResultWriter.

    \b
    Examples:
      asl-gen iam pipeline.asl.json --region eu-west-1 --account 123456789012 > policy.json
      asl-gen iam a.asl.json b.asl.yaml --region us-east-1 --account 123456789012 --out iam/policy.json
      asl-gen iam sfn.asl.json --region us-east-1 --account 123456789012 --placeholders --sub FnArn=arn:aws:…

    A definition that needs no permission (no Task, or only activities) gets no policy: a note on stderr, exit 0.
    """
    console = console_for(fmt)
    allowed: bool | frozenset[str] = frozenset(placeholder_names) if placeholder_names else placeholders

    def action() -> Any:
        import re

        from asl_gen import iam as derivation
        from asl_gen.catalog import partition_for_region, suggest
        from asl_gen.loader import load_document
        from asl_gen.plan import Target
        from asl_gen.render import dump
        from asl_gen.spec import KMS_KEY_ARN

        partition = partition_for_region(region)
        if partition is None:
            from asl_gen.catalog import REGION_PARTITIONS

            hint = suggest(region, REGION_PARTITIONS)
            raise UsageError(Problem(f"--region {region!r} is not an AWS region", hint=f"did you mean {hint!r}?"))
        if not re.fullmatch(r"\d{12}", account):
            raise UsageError(Problem(f"--account {account!r} is not a 12-digit account ID"))
        if name is not None and len(files) > 1:
            raise UsageError(Problem("--name names one state machine; give one file with it"))
        key = KMS_KEY_ARN.fullmatch(kms_key) if kms_key is not None else None
        if kms_key is not None and (key is None or key.group(1) != partition):
            raise UsageError(Problem(f"--kms-key {kms_key!r} is not a KMS key ARN in partition {partition}"))
        loaded: list[tuple[Any, str]] = []
        names: dict[str, str] = {}
        lines: dict[str, dict[str, tuple[int, int]]] = {}
        for path in files:
            located = load_document(path, display(path))
            loaded.append((located.data, located.file))
            names[located.file] = name or machine_name(path)
            lines[located.file] = located_lines(located)
        derived = derivation.derive_for_files(
            loaded,
            Target(partition, region, account),
            names=names,
            access=derivation.MachineAccess(None, logging, tracing, kms_key),
            resources=_resource_option(resources),
            lines=lines,
            placeholders=allowed,
            substitutions=_substitutions(substitutions),
        )
        if derived.document is None:
            return derived, ""
        text = dump(derived.document)
        if out_file is not None:
            from asl_gen.cli.scaffold import write_text

            write_text(out_file, text)
        return derived, text

    derived, text = run(action, console, debug)
    notes = [
        {"sid": s.sid, "used_by": list(s.used_by), "unscoped_because": s.unscoped_because} for s in derived.statements
    ]
    if not console.human:
        console.data({"problems": [], "policy": derived.document, "statements": notes, "note": derived.note})
        return
    if derived.document is None:
        console.say(f"no policy: {derived.note}", fg="yellow")
        return
    if out_file is None:
        console.output(text)
    for statement in derived.statements:
        if statement.unscoped_because:
            console.say(f"  {statement.sid} is on '*': {statement.unscoped_because}", level=VERBOSE)
    where = f" to {display(out_file)}" if out_file is not None else ""
    count = len(derived.statements)
    console.say(f"{count} statement{'s' if count != 1 else ''}{where}", fg="green")
