"""The one Jinja2 environment asl-gen renders with: sandboxed, bounded, strict, with `tojson` that keeps key
order and refuses NaN; built-in templates under any override folder, compiled once per process.

Imports: resources
"""

from __future__ import annotations

import functools
import json
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from asl_gen.render.cache import template_cache
from asl_gen.resources import data_dir

# A Step Functions definition may be 1 MiB; a template that renders four times that is broken or hostile.
MAX_RENDERED = 4 * 1024 * 1024
_MAX_EXPONENT = 1024


def _dumps(obj: Any, **kwargs: Any) -> str:
    # Keys keep the order the plan gives them; that order is part of the deterministic output.
    # No NaN or Infinity: they are not JSON, and a file holding one would break every tool that reads it.
    text = json.dumps(obj, ensure_ascii=False, sort_keys=False, allow_nan=False, **kwargs)
    # Jinja's indent filter splits lines with str.splitlines, which also breaks at these inside a JSON string;
    # escaped, they mean the same to the parser that reads the rendered text back.
    return text.replace("\x85", "\\u0085").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class Environment(ImmutableSandboxedEnvironment):
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


_OPTIONS = {"keep_trailing_newline": True, "autoescape": False, "trim_blocks": True, "lstrip_blocks": True}


def _cache() -> jinja2.BytecodeCache | None:
    # Compiled code depends on the environment's class and options too.
    settings = (Environment.__qualname__, sorted(_OPTIONS.items()), sorted(Environment.intercepted_binops))
    return template_cache(repr(settings))


def environment(overrides: list[jinja2.BaseLoader]) -> Environment:
    """An environment reading `overrides` first, then the built-in templates."""
    # Sandboxed: a template from a user's folder cannot reach Python internals, call methods that
    # mutate data, or read files beyond what the loader serves.
    env = Environment(
        loader=jinja2.ChoiceLoader([*overrides, jinja2.FileSystemLoader(str(data_dir("templates")))]),
        undefined=jinja2.StrictUndefined,
        bytecode_cache=_cache(),
        **_OPTIONS,
    )
    env.policies["json.dumps_function"] = _dumps
    env.policies["json.dumps_kwargs"] = {}
    return env


@functools.lru_cache(maxsize=1)
def builtin_environment() -> Environment:
    """One environment for the built-in templates per process, so each is compiled once, not once per spec."""
    return environment([])
