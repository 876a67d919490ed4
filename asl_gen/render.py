"""The one place a Jinja2 environment is built; every rendered text is parsed as JSON at once."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import stat
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import yaml
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from asl_gen import __version__
from asl_gen.errors import Problem, TemplateError
from asl_gen.resources import data_dir

# A Step Functions definition may be 1 MiB; a template that renders four times that is broken or hostile.
MAX_RENDERED = 4 * 1024 * 1024
# Deeper JSON than this is no ASL or IAM document; the validators and the dumper recurse over it.
MAX_JSON_DEPTH = 100
_MAX_EXPONENT = 1024


def _dumps(obj: Any, **kwargs: Any) -> str:
    # Keys keep the order the plan gives them; that order is part of the deterministic output.
    # No NaN or Infinity: they are not JSON, and a file holding one would break every tool that reads it.
    text = json.dumps(obj, ensure_ascii=False, sort_keys=False, allow_nan=False, **kwargs)
    # Jinja's indent filter splits lines with str.splitlines, which also breaks at these inside a JSON string;
    # escaped, they mean the same to the parser that reads the rendered text back.
    return text.replace("\x85", "\\u0085").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox, plus bounds on the operators that build huge values in one step (`'x' * 10**10`)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > _MAX_EXPONENT:
            raise SecurityError(f"exponent {right} is larger than {_MAX_EXPONENT}")
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if (
                    isinstance(sequence, str | list | tuple)
                    and isinstance(count, int)
                    and len(sequence) * count > MAX_RENDERED
                ):
                    raise SecurityError(f"repeating a value {count} times exceeds {MAX_RENDERED} items")
        return super().call_binop(context, operator, left, right)

    def call(self, context: jinja2.runtime.Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        # `"x".center(10**10)` and friends: a size argument that large can only exhaust memory.
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and value > MAX_RENDERED:
                raise SecurityError(f"argument {value} is larger than {MAX_RENDERED}")
        return super().call(context, obj, *args, **kwargs)


class _TemplateCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between runs: compiling the built-in ones was most of a build's own time.

    Jinja keys each entry by the template's source checksum, so an edited or overriding template is compiled
    anew. It is only a shortcut: an entry that cannot be read or written is passed over.
    """

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a truncated or foreign file: compile instead
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


_OPTIONS = {"keep_trailing_newline": True, "autoescape": False, "trim_blocks": True, "lstrip_blocks": True}


def _template_cache() -> _TemplateCache | None:
    """The cache in ASL_GEN_CACHE_DIR (empty: none), else in the user's cache folder; None where it is unsafe."""
    configured = os.environ.get("ASL_GEN_CACHE_DIR")
    if configured == "":
        return None
    base = Path(configured) if configured else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    # Compiled code depends on all of these; a folder per combination keeps one from loading another's.
    settings = (__version__, jinja2.__version__, sys.implementation.cache_tag, _Environment.__qualname__)
    fingerprint = repr((settings, sorted(_OPTIONS.items()), sorted(_Environment.intercepted_binops)))
    folder = base / "asl-gen" / f"templates-{hashlib.sha256(fingerprint.encode()).hexdigest()[:16]}"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
    except OSError:
        return None
    # Loading a compiled template runs its code: only from a folder no one else can write to.
    if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)):
        return None
    return _TemplateCache(str(folder))


def _environment(overrides: list[jinja2.BaseLoader]) -> _Environment:
    # Sandboxed: a template from a user's folder cannot reach Python internals, call methods that
    # mutate data, or read files beyond what the loader serves.
    env = _Environment(
        loader=jinja2.ChoiceLoader([*overrides, jinja2.FileSystemLoader(str(data_dir("templates")))]),
        undefined=jinja2.StrictUndefined,
        bytecode_cache=_template_cache(),
        **_OPTIONS,
    )
    env.policies["json.dumps_function"] = _dumps
    env.policies["json.dumps_kwargs"] = {}
    return env


@functools.lru_cache(maxsize=1)
def _builtin_environment() -> _Environment:
    """One environment for the built-in templates per process, so each is compiled once, not once per spec."""
    return _environment([])


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class Renderer:
    """Renders templates by name; a user folder given with `--templates` overrides built-ins file by file."""

    def __init__(self, override: Path | None = None) -> None:
        if override is None:
            self.env = _builtin_environment()
            return
        if not override.is_dir():
            raise TemplateError(
                Problem(
                    "template folder not found",
                    file=str(override),
                    hint="pass an existing folder to --templates",
                )
            )
        # Not cached: a file added to the folder later must override the built-in the cache would remember.
        self.env = _environment([jinja2.FileSystemLoader(str(override))])

    def render_json(self, name: str, context: Mapping[str, Any]) -> Any:
        """Render template `name` with `context` and parse the result; errors name the template and line."""
        try:
            template = self.env.get_template(name)
            text = self._bounded(template, name, context)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                Problem(f"template syntax error: {exc.message}", file=self._where(exc.name, name), line=exc.lineno)
            ) from None
        except jinja2.TemplateNotFound as exc:
            if exc.name != name:
                # Only templates in the template folders can be included; paths with '..' never resolve.
                raise TemplateError(
                    Problem(
                        f"includes {exc.name!r}, which is not a template in the template folders",
                        file=self._where(name, name),
                    )
                ) from None
            raise TemplateError(
                Problem(
                    f"template {name!r} not found",
                    file=name,
                    hint="an override folder must keep the built-in file names",
                )
            ) from None
        except jinja2.UndefinedError as exc:
            raise self._failed(name, f"template uses an undefined value: {exc.message}", exc) from None
        except (TypeError, ValueError, jinja2.TemplateError) as exc:
            raise self._failed(name, f"template failed: {exc}", exc) from None
        except (ArithmeticError, LookupError, AttributeError) as exc:
            # A user's template can divide by zero or ask for a range the sandbox refuses (OverflowError).
            raise self._failed(name, f"template failed: {type(exc).__name__}: {exc}", exc) from None
        except RecursionError:
            raise self._failed(
                name, "template failed: recursion too deep", hint="an include or a macro calls itself without end"
            ) from None
        except MemoryError:
            raise self._failed(name, "template failed: out of memory while rendering") from None
        too_deep = False
        try:
            document = json.loads(text, parse_constant=_reject_constant)
        except RecursionError:
            document, too_deep = None, True
        except json.JSONDecodeError as exc:
            raise TemplateError(
                Problem(
                    f"rendered text is not JSON: {exc.msg}",
                    file=f"{self._where(name, name)} (rendered)",
                    line=exc.lineno,
                    column=exc.colno,
                    hint="interpolate every value with '| tojson' and check commas",
                )
            ) from None
        except ValueError as exc:
            raise TemplateError(
                Problem(f"rendered text is not JSON: {exc}", file=f"{self._where(name, name)} (rendered)")
            ) from None
        if too_deep or _deeper_than(document, MAX_JSON_DEPTH):
            raise TemplateError(
                Problem(
                    f"rendered JSON is nested deeper than {MAX_JSON_DEPTH} levels",
                    file=f"{self._where(name, name)} (rendered)",
                )
            )
        return document

    def _bounded(self, template: jinja2.Template, name: str, context: Mapping[str, Any]) -> str:
        """Render, stopping as soon as the text passes `MAX_RENDERED` rather than filling memory."""
        chunks: list[str] = []
        size = 0
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > MAX_RENDERED:
                raise TemplateError(
                    Problem(
                        f"template renders more than {MAX_RENDERED} characters",
                        file=self._where(name, name),
                        hint="a loop or a repeated value runs away",
                    )
                )
            chunks.append(chunk)
        return "".join(chunks)

    def _failed(
        self, name: str, message: str, exc: BaseException | None = None, hint: str | None = None
    ) -> TemplateError:
        line = _template_line(exc) if exc is not None else None
        return TemplateError(Problem(message, file=self._where(name, name), line=line, hint=hint))

    def _where(self, template_name: str | None, fallback: str) -> str:
        name = template_name or fallback
        try:
            _, filename, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
        except jinja2.TemplateNotFound:
            return name
        return filename or name


def _deeper_than(document: Any, limit: int) -> bool:
    """Whether containers nest more than `limit` levels; iterative, so depth itself cannot overflow the stack."""
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth >= limit:
                return True
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return False


def _template_line(exc: BaseException) -> int | None:
    """The template line a rendering error comes from, found in the traceback Jinja rewrites."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def dump(document: Any) -> str:
    """The canonical bytes asl-gen writes: 2-space indent, UTF-8 as is, final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


class _YamlDumper(yaml.SafeDumper):
    """Block style throughout; multi-line strings (a DefinitionString) as literal blocks a reviewer can read."""


def _represent_string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # A literal block cannot hold trailing spaces on a line or tabs faithfully; those strings stay quoted.
    block = "\n" in value and not any(line != line.rstrip() for line in value.splitlines()) and "\t" not in value
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if block else None)


_YamlDumper.add_representer(str, _represent_string)


def dump_file(path: str, document: Any) -> str:
    """The bytes of a generated file: YAML for a `.yaml` path (a CloudFormation template), else canonical JSON."""
    if path.endswith(".yaml"):
        return yaml.dump(
            document, Dumper=_YamlDumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=120
        )
    return dump(document)
