"""The one place a Jinja2 environment is built; every rendered text is parsed as JSON at once."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from asl_gen.errors import Problem, TemplateError
from asl_gen.resources import data_dir


def _dumps(obj: Any, **kwargs: Any) -> str:
    # Keys keep the order the plan gives them; that order is part of the deterministic output.
    return json.dumps(obj, ensure_ascii=False, sort_keys=False, **kwargs)


class Renderer:
    """Renders templates by name; a user folder given with `--templates` overrides built-ins file by file."""

    def __init__(self, override: Path | None = None) -> None:
        loaders: list[jinja2.BaseLoader] = []
        if override is not None:
            if not override.is_dir():
                raise TemplateError(
                    Problem(
                        "template folder not found",
                        file=str(override),
                        hint="pass an existing folder to --templates",
                    )
                )
            loaders.append(jinja2.FileSystemLoader(str(override)))
        loaders.append(jinja2.FileSystemLoader(str(data_dir("templates"))))
        # Sandboxed: a template from a user's folder cannot reach Python internals, call methods that
        # mutate data, or read files beyond what the loader serves.
        self.env = ImmutableSandboxedEnvironment(
            loader=jinja2.ChoiceLoader(loaders),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.policies["json.dumps_function"] = _dumps
        self.env.policies["json.dumps_kwargs"] = {}

    def render_json(self, name: str, context: Mapping[str, Any]) -> Any:
        """Render template `name` with `context` and parse the result; errors name the template and line."""
        try:
            template = self.env.get_template(name)
            text = template.render(**context)
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
            raise TemplateError(
                Problem(
                    f"template uses an undefined value: {exc.message}",
                    file=self._where(name, name),
                    line=_template_line(exc),
                )
            ) from None
        except (TypeError, ValueError, jinja2.TemplateError) as exc:
            raise TemplateError(
                Problem(f"template failed: {exc}", file=self._where(name, name), line=_template_line(exc))
            ) from None
        try:
            return json.loads(text)
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

    def _where(self, template_name: str | None, fallback: str) -> str:
        name = template_name or fallback
        try:
            _, filename, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
        except jinja2.TemplateNotFound:
            return name
        return filename or name


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
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
