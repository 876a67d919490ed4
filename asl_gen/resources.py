"""The one place that finds asl-gen's data folders (`templates/`, `schemas/`), in a wheel and in a checkout.

Imports: nothing from asl_gen
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any, cast


@functools.cache
def data_dir(name: str) -> Path:
    """Return the folder `name` shipped inside the wheel, or the checkout's top-level folder of that name."""
    packaged = Path(str(resources.files("asl_gen"))) / name
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"asl-gen data folder {name!r} is missing from the installation")


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """Load a JSON Schema from `schemas/` by file name."""
    path = data_dir("schemas") / name
    return cast(dict[str, Any], json.loads(path.read_text(encoding="utf-8")))


def package_file(name: str) -> Path:
    """A data file shipped inside the package (`asl_gen/<name>`), in a wheel and in a checkout alike."""
    return Path(str(resources.files("asl_gen"))) / name
