"""The command line: click only. Each command parses its options, calls the API, prints and exits.

`main` is the console script `asl-gen`. `asl-gen --version` is what editors, pre-commit and CI scripts run to
probe the tool; importing click alone costs about as much as starting Python, so a bare `--version` is answered
here without it. Anything else, and every attribute (click's test runner reads `name` and calls `main`), goes to
the click group of `cli.app`, with the commands of this package's modules added to it. Every command imports
the stages it runs inside its body, so `--help` loads click and nothing heavy.

The command line also tells Pydantic to look for no plugins (unless the environment already says which):
the first model Pydantic builds would otherwise read the entry points of every distribution installed beside
asl-gen (about 10-25 ms with 140 of them), and asl-gen's spec models are no place for a Pydantic plugin.
Only the command line does this: a program or test that imports asl-gen keeps its own setting.

Imports: errors, resources, loader, catalog, config, spec, plan, render, lint, iam, graph, simulate, build
"""

from __future__ import annotations

import functools
import os
import sys
from typing import TYPE_CHECKING, Any

from asl_gen import __version__
from asl_gen.cli.collector import pause_collector

if TYPE_CHECKING:
    import click


@functools.cache
def _group() -> click.Group:
    from asl_gen.cli.app import main as group
    from asl_gen.cli.build import build, check
    from asl_gen.cli.graph import graph
    from asl_gen.cli.iam import iam
    from asl_gen.cli.init import init
    from asl_gen.cli.schema import schema
    from asl_gen.cli.simulate import simulate
    from asl_gen.cli.validate import validate

    for command in (build, check, validate, iam, graph, init, schema, simulate):
        group.add_command(command)
    return group


class _Entry:
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # `python -m asl_gen` passes prog_name, which a version line does not use.
        if not args and set(kwargs) <= {"prog_name"} and sys.argv[1:] == ["--version"]:
            sys.stdout.write(f"asl-gen {__version__}\n")
            return 0
        pause_collector()
        os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
        return _group()(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(_group(), name)


main: Any = _Entry()
