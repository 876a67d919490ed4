"""Rendering a template to a JSON document: size and depth bounds, and errors that name the template and line.

Imports: errors
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from asl_gen.errors import Problem, TemplateError
from asl_gen.render.environment import MAX_RENDERED, builtin_environment, environment

# Deeper JSON than this is no ASL or IAM document; the validators and the dumper recurse over it.
MAX_JSON_DEPTH = 100


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class Renderer:
    """Renders templates by name; a user folder given with `--templates` overrides built-ins file by file."""

    def __init__(self, override: Path | None = None) -> None:
        if override is None:
            self.env = builtin_environment()
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
        self.env = environment([jinja2.FileSystemLoader(str(override))])

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
