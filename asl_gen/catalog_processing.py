"""Offline facts about processing jobs: the instance types they run on and the framework images they use.

The tables are data in `asl_gen/data/processing.json`, read on first use (a spec without a processing job never
loads them).

Imports: catalog, resources
"""

from __future__ import annotations

import functools
import json
from typing import Any, cast

from asl_gen.resources import package_file


@functools.cache
def _data() -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(package_file("data/processing.json").read_text(encoding="utf-8")))


@functools.cache
def processing_instance_types() -> frozenset[str]:
    """The instance types CreateProcessingJob takes."""
    return frozenset(_data()["processing_instance_types"])
