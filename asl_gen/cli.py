"""`asl-gen`, the console script. The commands themselves are click commands in `asl_gen.commands`.

`asl-gen --version` is what editors, pre-commit and CI scripts run to probe the tool; importing click alone costs
about as much as starting Python, so a bare `--version` is answered here without it. Anything else, and every
attribute (click's test runner reads `name` and calls `main`), goes to the click group.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from asl_gen import __version__

if TYPE_CHECKING:
    import click


def _group() -> click.Group:
    from asl_gen.commands import main as group

    return group


class _Entry:
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not args and not kwargs and sys.argv[1:] == ["--version"]:
            sys.stdout.write(f"asl-gen {__version__}\n")
            return 0
        return _group()(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(_group(), name)


main: Any = _Entry()
