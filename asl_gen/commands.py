"""The click commands: parse options, call the API, print, exit. Errors are caught here and only here (`_run`).

Every command imports what it uses inside its body, so `--help` of any command loads click and nothing heavy.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from asl_gen import __version__
from asl_gen.console import NORMAL, QUIET, VERBOSE, Console, use_color
from asl_gen.errors import EXIT_INTERNAL, AslGenError, Problem, UsageError, ValidationFailure, pointer_of

REPORT_URL = "https://github.com/asl-gen/asl-gen/issues"

EPILOG = """\b
Exit codes: 0 success, 1 validation failure or stale out/,
2 usage or spec error, 3 internal error (a bug: please report it).
"""
_VERBOSITY = "asl_gen.verbosity"


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _console(fmt: str) -> Console:
    verbosity = click.get_current_context().meta.get(_VERBOSITY, NORMAL)
    return Console(fmt=fmt, verbosity=verbosity, color=use_color())


def _run(action: Callable[[], Any], console: Console, debug: bool) -> Any:
    try:
        return action()
    except AslGenError as exc:
        console.problems(exc.problems, exc.details)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted; out/ is left as it was before this run", err=True)
        sys.exit(130)
    except Exception as exc:
        if debug:
            raise
        _internal_error(exc, console)


def _internal_error(exc: Exception, console: Console) -> NoReturn:
    message = f"internal error: {type(exc).__name__}: {exc}"
    if not console.human:
        console.data({"problems": [Problem(message, hint=f"report it at {REPORT_URL}").as_dict()], "details": []})
    click.echo(f"asl-gen: {message}", err=True)
    click.echo(
        f"This is a bug in asl-gen {__version__}. Rerun with --debug for the traceback and report it at {REPORT_URL}",
        err=True,
    )
    sys.exit(EXIT_INTERNAL)


def _specs(given: Sequence[str]) -> tuple[list[Path], Path, Path | None, dict[Path, str]]:
    from asl_gen.config import load_settings

    settings = load_settings(Path.cwd())
    paths = [Path(p) for p in given] or list(settings.specs)
    if not paths:
        raise UsageError(
            Problem(
                "no spec given and no default specs configured",
                hint="pass a spec file, or list specs in [tool.asl-gen] in pyproject.toml or in asl-gen.yaml",
            )
        )
    return paths, settings.out, settings.templates, {p: _display(p) for p in paths}


def _set_verbosity(level: int) -> Callable[[click.Context, click.Parameter, bool], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        if value:
            ctx.meta[_VERBOSITY] = level

    return callback


# Accepted before the command (`asl-gen -q build`) and after it (`asl-gen build -q`); both set the same level.
quiet_option = click.option(
    "-q",
    "--quiet",
    is_flag=True,
    expose_value=False,
    callback=_set_verbosity(QUIET),
    help="Print nothing but problems.",
)
verbose_option = click.option(
    "-v",
    "--verbose",
    is_flag=True,
    expose_value=False,
    callback=_set_verbosity(VERBOSE),
    help="Also print each file and the time taken.",
)
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people (on stderr), or json: one document on stdout with results and problems.",
)
debug_option = click.option("--debug", is_flag=True, help="Show the traceback of internal errors.")
out_option = click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: from project settings, else ./out).",
)
templates_option = click.option(
    "--templates",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder whose templates override the built-in ones of the same name.",
)
target_option = click.option(
    "--target",
    "target",
    multiple=True,
    type=click.Choice(["terraform", "cloudformation", "none"]),
    help="Also write this deployment target (repeatable); replaces the spec's targets. 'none': write no target.",
)


def _targets(given: Sequence[str]) -> list[str] | None:
    """The --target values as build takes them: None when not given (the spec decides), [] for 'none'."""
    if not given:
        return None
    if "none" in given and len(set(given)) > 1:
        raise UsageError(
            Problem("--target none cannot be combined with other targets", hint="give 'none' alone, or drop it")
        )
    return [t for t in given if t != "none"]


def _command(*decorators: Callable[[Any], Any]) -> Callable[[Callable[..., None]], click.Command]:
    """A subcommand with the given options plus the ones every command has."""

    def wrap(function: Callable[..., None]) -> click.Command:
        for decorator in reversed([*decorators, quiet_option, verbose_option, debug_option]):
            function = decorator(function)
        return main.command(epilog=EPILOG)(function)

    return wrap


@click.group(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="asl-gen", message="%(prog)s %(version)s")
@quiet_option
@verbose_option
def main() -> None:
    """Generate Step Functions state machines and least-privilege IAM from a YAML spec.

    \b
    Examples:
      asl-gen init my-pipeline            scaffold a project that builds at once
      asl-gen build                       build the project's default specs into out/
      asl-gen build examples/big-mart/spec.yaml --out out
      asl-gen check                       exit 1 if out/ is not what build would write
      asl-gen validate out/big-mart/pipeline.asl.json my-policy.json
      asl-gen graph pipeline > pipeline.mmd
      asl-gen schema --out spec.schema.json
    """


spec_arguments = click.argument("specs", nargs=-1, type=click.Path(dir_okay=True, path_type=str))


def _on_specs(
    operation: Callable[..., Any],
    console: Console,
    specs: Sequence[str],
    out_dir: Path | None,
    templates: Path | None,
    label: str,
    **extra: Any,
) -> Any:
    paths, default_out, default_templates, names = _specs(specs)
    return operation(
        console.progress(paths, label),
        out_dir or default_out,
        templates=templates or default_templates,
        display=names,
        **extra,
    )


@_command(spec_arguments, out_option, templates_option, target_option, format_option)
def build(
    specs: tuple[str, ...], out_dir: Path | None, templates: Path | None, target: tuple[str, ...], fmt: str, debug: bool
) -> None:
    """Generate and write out/<project>/ for each SPEC (default: the project's specs).

    Nothing is written unless every document of every spec is valid.
    """
    from asl_gen import build as pipeline

    console = _console(fmt)
    started = time.perf_counter()
    results = _run(
        lambda: _on_specs(
            pipeline.build,
            console,
            specs,
            out_dir,
            templates,
            "building",
            on_wait=console.say,
            target=_targets(target),
        ),
        console,
        debug,
    )
    if not console.human:
        console.data({"problems": [], "projects": {p: vars(r) for p, r in results.items()}})
        return
    for project, result in results.items():
        console.say(
            f"{project}: {len(result.written)} written, {len(result.unchanged)} unchanged, "
            f"{len(result.removed)} removed"
        )
        for kind in ("written", "removed"):
            for path in getattr(result, kind):
                console.say(f"  {kind:<8} {project}/{path}", level=VERBOSE)
    console.say(f"done in {time.perf_counter() - started:.2f} s", level=VERBOSE)


@_command(spec_arguments, out_option, templates_option, target_option, format_option)
def check(
    specs: tuple[str, ...], out_dir: Path | None, templates: Path | None, target: tuple[str, ...], fmt: str, debug: bool
) -> None:
    """Exit 1 with a short diff if out/ differs from what build would write (for CI and pre-commit)."""
    from asl_gen import build as pipeline

    console = _console(fmt)
    started = time.perf_counter()
    results = _run(
        lambda: _on_specs(pipeline.check, console, specs, out_dir, templates, "checking", target=_targets(target)),
        console,
        debug,
    )
    if not console.human:
        console.data({"problems": [], "details": [], "projects": sorted(results)})
        return
    console.say(f"up to date: {', '.join(sorted(results))}", fg="green")
    console.say(f"done in {time.perf_counter() - started:.2f} s", level=VERBOSE)


@_command(
    click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path)),
    click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json", "sarif"]),
        default="text",
        show_default=True,
        help="text for people (on stderr); json: one document on stdout; sarif: SARIF 2.1.0 on stdout.",
    ),
    click.option(
        "--type",
        "machine_type",
        type=click.Choice(["standard", "express"], case_sensitive=False),
        default="standard",
        show_default=True,
        help="The state machine type: express allows request-response integrations only.",
    ),
    click.option(
        "--placeholders",
        is_flag=True,
        help="Accept CloudFormation DefinitionSubstitutions-style ${Name} values where a literal is expected.",
    ),
    click.option(
        "--placeholder",
        "placeholder_names",
        multiple=True,
        metavar="NAME",
        help="Accept only these ${NAME} placeholders (repeatable; implies --placeholders).",
    ),
)
def validate(
    files: tuple[Path, ...],
    fmt: str,
    machine_type: str,
    placeholders: bool,
    placeholder_names: tuple[str, ...],
    debug: bool,
) -> None:
    """Check ASL definitions and IAM policy documents (JSON or YAML), generated or hand-written.

    Exit 1 when any file has an error; warnings are shown but do not fail the run.
    """
    console = _console(fmt)
    allowed: bool | frozenset[str] = frozenset(placeholder_names) if placeholder_names else placeholders

    def action() -> tuple[list[str], list[Problem]]:
        from asl_gen.lint import validate_document
        from asl_gen.loader import load_file

        problems: list[Problem] = []
        unreadable: AslGenError | None = None
        for path in files:
            try:
                located = load_file(path, _display(path))
            except AslGenError as exc:
                # One file that cannot be read must not hide what is wrong with the others.
                unreadable = unreadable or exc
                problems.extend(exc.problems)
                continue
            found = validate_document(
                located.data,
                source=located.file,
                lines=_lines(located),
                placeholders=allowed,
                machine_type=machine_type.upper(),
                warnings=True,
            )
            errors = [p for p in found if getattr(p, "severity", "error") == "error"]
            console.say(f"  {'ok' if not errors else 'problems':<8} {located.file}", level=VERBOSE)
            problems.extend(found)
        if unreadable is not None:
            raise type(unreadable)(problems)
        if any(getattr(p, "severity", "error") == "error" for p in problems):
            raise ValidationFailure(problems)
        return [_display(p) for p in files], problems

    checked, warnings = _run(action, console, debug)
    if fmt == "sarif":
        console.problems(warnings)
        return
    if not console.human:
        console.data({"problems": [w.as_dict() for w in warnings], "files": checked})
        return
    for warning in warnings:
        click.echo(warning.format(), err=True, color=console.color)
    noun = f"{len(checked)} file{'s' if len(checked) != 1 else ''} valid"
    extra = f" ({len(warnings)} warning{'s' if len(warnings) != 1 else ''})" if warnings else ""
    console.say(noun + extra, fg="green")


def _resource_option(values: Sequence[str]) -> dict[str, tuple[str, ...]]:
    declared: dict[str, list[str]] = {}
    for value in values:
        state, sep, arn = value.partition("=")
        if not sep or not state or not arn.startswith("arn:"):
            raise UsageError(
                Problem(f"--resource {value!r} is not STATE=ARN", hint="e.g. --resource 'Read config=arn:aws:s3:::b/k'")
            )
        declared.setdefault(state, []).append(arn)
    return {state: tuple(arns) for state, arns in declared.items()}


@_command(
    click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path)),
    click.option("--region", required=True, help="Region the state machines run in, e.g. eu-west-1."),
    click.option("--account", required=True, help="12-digit account ID the state machines run in."),
    click.option("--name", help="State machine name, for its own ARN (default: the file name without .asl.json)."),
    click.option(
        "--resource",
        "resources",
        multiple=True,
        metavar="STATE=ARN",
        help="ARN an AWS SDK call asl-gen has no row for acts on (repeatable).",
    ),
    click.option("--logging", is_flag=True, help="The machines log to CloudWatch Logs: add log-delivery actions."),
    click.option("--tracing", is_flag=True, help="The machines are traced with X-Ray: add the X-Ray actions."),
    click.option("--kms-key", help="ARN of the customer managed key that encrypts the machines' data."),
    click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout."),
    format_option,
)
def iam(
    files: tuple[Path, ...],
    region: str,
    account: str,
    name: str | None,
    resources: tuple[str, ...],
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
    """
    console = _console(fmt)

    def action() -> Any:
        import re

        from asl_gen import iam as derivation
        from asl_gen.catalog import partition_for_region, suggest
        from asl_gen.loader import load_file
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
            located = load_file(path, _display(path))
            loaded.append((located.data, located.file))
            names[located.file] = name or _machine_name(path)
            lines[located.file] = _lines(located)
        derived = derivation.derive_for_files(
            loaded,
            Target(partition, region, account),
            names=names,
            access=derivation.MachineAccess(None, logging, tracing, kms_key),
            resources=_resource_option(resources),
            lines=lines,
        )
        text = dump(derived.document)
        if out_file is not None:
            from asl_gen.scaffold import write_text

            write_text(out_file, text)
        return derived, text

    derived, text = _run(action, console, debug)
    notes = [
        {"sid": s.sid, "used_by": list(s.used_by), "unscoped_because": s.unscoped_because} for s in derived.statements
    ]
    if not console.human:
        console.data({"problems": [], "policy": derived.document, "statements": notes})
        return
    if out_file is None:
        console.output(text)
    for statement in derived.statements:
        if statement.unscoped_because:
            console.say(f"  {statement.sid} is on '*': {statement.unscoped_because}", level=VERBOSE)
    where = f" to {_display(out_file)}" if out_file is not None else ""
    count = len(derived.statements)
    console.say(f"{count} statement{'s' if count != 1 else ''}{where}", fg="green")


def _lines(located: Any) -> dict[str, tuple[int, int]]:
    # A field is best pointed at by its key; list items and the root only have value marks.
    return {pointer_of(p): located.key_marks.get(p, mark) for p, mark in located.marks.items()}


@_command(
    click.argument("machine"),
    click.argument("spec", required=False, type=click.Path(dir_okay=False, path_type=Path)),
    click.option(
        "--format",
        "fmt",
        type=click.Choice(["mermaid", "dot", "json"]),
        default="mermaid",
        show_default=True,
        help="mermaid (a flowchart GitHub and GitLab render), dot (Graphviz), or json (nodes and edges as data).",
    ),
    templates_option,
)
def graph(machine: str, spec: Path | None, fmt: str, templates: Path | None, debug: bool) -> None:
    """Draw a state machine: MACHINE is an ASL file, or the key of a state machine in SPEC (default: the project's
    specs). Prints the diagram on stdout.

    \b
    Examples:
      asl-gen graph pipeline                      Mermaid, from the project's specs
      asl-gen graph out/big-mart/deploy.asl.json --format dot | dot -Tsvg > deploy.svg
    """
    console = _console("json" if fmt == "json" else "text")

    def action() -> Any:
        from asl_gen import graph as drawing

        name, definition = _definition(machine, spec, templates)
        if fmt == "json":
            return {"problems": [], "name": name, **drawing.to_data(definition)}
        return drawing.render(definition, fmt, name)

    result = _run(action, console, debug)
    if fmt == "json":
        console.data(result)
    else:
        console.output(result)


_DEFINITION_SUFFIXES = (".asl.json", ".asl.yaml", ".asl.yml", ".json", ".yaml", ".yml")


def _machine_name(path: Path) -> str:
    """A definition file's state machine name: its file name without the definition suffixes."""
    name = path.name
    for suffix in _DEFINITION_SUFFIXES:
        name = name.removesuffix(suffix)
    return name


def _definition(machine: str, spec: Path | None, templates: Path | None) -> tuple[str, Any]:
    """The definition to draw: a file's (validated) or a generated state machine's, with its name."""
    path = Path(machine)
    if path.is_file() or machine.endswith(_DEFINITION_SUFFIXES) or os.sep in machine:
        if spec is not None:
            raise UsageError(Problem("give an ASL file, or a state machine key and a spec, not a file and a spec"))
        from asl_gen.lint import validate_definition
        from asl_gen.loader import load_file

        located = load_file(path, _display(path))
        problems = validate_definition(located.data, source=located.file, lines=_lines(located))
        if problems:
            raise ValidationFailure(problems)
        return _machine_name(path), located.data

    import json

    from asl_gen.build import generate_all
    from asl_gen.catalog import suggest

    paths, _, default_templates, names = _specs([str(spec)] if spec else [])
    found: list[tuple[str, Any]] = []
    machines: list[str] = []
    for generated in generate_all(paths, templates=templates or default_templates, display=names):
        keys = [p.removesuffix(".asl.json") for p in generated.files if p.endswith(".asl.json") and "/" not in p]
        machines += keys
        if machine in keys:
            found.append((f"{generated.project}-{machine}", json.loads(generated.files[f"{machine}.asl.json"])))
    if len(found) > 1:
        raise UsageError(
            Problem(f"more than one spec has a state machine {machine!r}", hint="name the spec: asl-gen graph KEY SPEC")
        )
    if not found:
        hint = suggest(machine, machines)
        raise UsageError(
            Problem(
                f"no state machine {machine!r} and no such file",
                hint=f"did you mean {hint!r}?" if hint else "state machines: " + ", ".join(sorted(machines)),
            )
        )
    return found[0]


@_command(
    click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path)),
    click.option("--force", is_flag=True, help="Overwrite files that already exist."),
    format_option,
)
def init(directory: Path, force: bool, fmt: str, debug: bool) -> None:
    """Scaffold a project in DIRECTORY (default: here) that builds at once: a spec based on the big-mart example,
    its settings (asl-gen.yaml), the spec's JSON Schema for editors, a CI workflow and a pre-commit config.

    Existing files are never overwritten unless --force is given; then nothing is written at all.
    """
    from asl_gen.scaffold import scaffold

    console = _console(fmt)
    created = _run(lambda: scaffold(directory, force=force), console, debug)
    if not console.human:
        console.data({"problems": [], "created": [_display(directory / p) for p in created]})
        return
    for path in created:
        console.say(f"  created  {_display(directory / path)}", level=VERBOSE)
    console.say(f"created {len(created)} files in {_display(directory)}", fg="green")
    console.say(f"next: cd {_display(directory)} && asl-gen build", level=NORMAL)


@_command(
    click.option(
        "--out",
        "out_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write the schema to FILE instead of stdout.",
    )
)
def schema(out_file: Path | None, debug: bool) -> None:
    """Print the JSON Schema of the spec, for editors (yaml-language-server) and other tools.

    \b
    In a spec, the first line
      # yaml-language-server: $schema=spec.schema.json
    gives completion, descriptions and inline errors as you type.
    """
    console = _console("text")

    def action() -> str:
        from asl_gen.spec.schema import spec_schema_text

        text = spec_schema_text()
        if out_file is not None:
            from asl_gen.scaffold import write_text

            write_text(out_file, text)
        return text

    text = _run(action, console, debug)
    if out_file is None:
        console.output(text)
    else:
        console.say(f"wrote {_display(out_file)}")


def _execution_input(text: str | None) -> Any:
    """--input: JSON text, or a JSON/YAML file; none means `{}`."""
    if text is None:
        return {}
    path = Path(text)
    if not text.lstrip().startswith(("{", "[", '"')) and path.is_file():
        from asl_gen.loader import load_file

        return load_file(path, _display(path)).data
    import json

    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            Problem(f"--input: not JSON ({exc.msg} at column {exc.colno}) and no such file", hint="give JSON or a file")
        ) from None


@_command(
    click.argument("machine"),
    click.argument("spec", required=False, type=click.Path(dir_okay=False, path_type=Path)),
    click.option(
        "--input", "input_text", metavar="JSON|FILE", help="Execution input: JSON text or a file (default {})."
    ),
    click.option(
        "--mocks",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Mocked task responses: a Step Functions Local mock config, or {state: {'0': {Return: ...}}}.",
    ),
    click.option("--case", help="The test case of the mock config to use (needed when it has several)."),
    click.option("--trace", is_flag=True, help="Also print each state's input and output."),
    click.option("--mermaid", is_flag=True, help="Print the path taken as a Mermaid flowchart instead."),
    click.option("--seed", type=int, default=0, show_default=True, help="Seed of UUID, MathRandom and retry jitter."),
    format_option,
    templates_option,
)
def simulate(
    machine: str,
    spec: Path | None,
    input_text: str | None,
    mocks: Path | None,
    case: str | None,
    trace: bool,
    mermaid: bool,
    seed: int,
    fmt: str,
    templates: Path | None,
    debug: bool,
) -> None:
    """Run a state machine offline on mocked tasks and a virtual clock: MACHINE is an ASL file, or the key of a
    state machine in SPEC (default: the project's specs). Exit 0 when it succeeds, 1 when it fails or times out.

    \b
    Examples:
      asl-gen simulate out/big-mart/pipeline.asl.json --input input.json --mocks mocks.yaml --case HappyPath
      asl-gen simulate pipeline spec.yaml --input input.json --mocks mocks.yaml --trace
    """
    console = _console(fmt)

    def action() -> Any:
        from asl_gen.simulate import simulate_definition

        name, definition = _definition(machine, spec, templates)
        execution_input = _execution_input(input_text)
        return simulate_definition(definition, execution_input, mocks=mocks, case=case, machine_name=name, seed=seed)

    result = _run(action, console, debug)
    if not console.human:
        document = {"problems": [], **result.as_dict()}
        if trace:
            document["trace"] = [step.as_dict() for step in result.trace]
        console.data(document)
    elif mermaid:
        console.output(result.mermaid())
    else:
        console.output(_simulation_text(result, trace))
    if result.status != "SUCCEEDED":
        sys.exit(1)


def _simulation_text(result: Any, trace: bool) -> str:
    import json

    def show(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["path: " + " -> ".join(result.path)]
    if trace:
        for step in result.trace:
            lines.append(f"  {step.state}  [{step.entered:g} s -> {step.left:g} s]")
            lines.append(f"    input:  {show(step.input)}")
            lines.append(f"    output: {show(step.output)}" if step.error is None else f"    error:  {step.error}")
    lines.append(f"status: {result.status} after {result.elapsed_seconds:g} s of virtual time")
    if result.status == "SUCCEEDED":
        lines.append(f"output: {show(result.output)}")
    else:
        lines.append(f"error: {result.error}")
        lines.append(f"cause: {result.cause}")
    return "\n".join(lines) + "\n"
