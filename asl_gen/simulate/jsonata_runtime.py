"""JSONata for the simulator, through the optional `jsonata-python` package, with Step Functions' extra functions."""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from typing import Any

from asl_gen.errors import Problem, UsageError
from asl_gen.simulate.errors import StatesError


def to_json(value: Any) -> Any:
    """A result with the library's null marker replaced by None (JSON null)."""
    from jsonata.utils import Utils

    return Utils.convert_nulls(value)


def compile_expression(expression: str, rng: random.Random, state: str, field_name: str) -> Any:
    """A compiled JSONata expression with `$partition`, `$range`, `$hash`, `$random`, `$uuid` and `$parse`."""
    try:
        import jsonata
    except ImportError:
        raise UsageError(
            Problem(
                f"state {state!r} uses JSONata, and simulating JSONata needs the jsonata-python package",
                hint="pip install 'asl-gen[simulate]' (or pip install jsonata-python)",
            )
        ) from None
    try:
        compiled = jsonata.Jsonata(expression)
    except Exception as exc:
        raise StatesError("States.QueryEvaluationError", f"state '{state}', field '{field_name}': {exc}") from None

    def partition(array: Any, size: Any) -> list[Any]:
        return [array[i : i + int(size)] for i in range(0, len(array), int(size))]

    def number_range(start: Any, end: Any, step: Any = 1) -> list[Any]:
        return list(range(int(start), int(end) + (1 if step > 0 else -1), int(step)))

    def digest(data: Any, algorithm: Any) -> str:
        names = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
        text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
        return hashlib.new(names[str(algorithm)], text.encode("utf-8")).hexdigest()

    def draw(seed: Any = None) -> float:
        return (random.Random(seed) if seed is not None else rng).random()

    # Keep JSON null apart from "nothing" (undefined): Step Functions fails a field whose expression returns
    # nothing, and keeps a null. The interpreter turns the library's null marker back into None.
    compiled.set_output_convert_nulls(False)
    compiled.register_lambda("partition", partition)
    compiled.register_lambda("range", number_range)
    compiled.register_lambda("hash", digest)
    compiled.register_lambda("random", draw)
    compiled.register_lambda("uuid", lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4)))
    compiled.register_lambda("parse", lambda text: json.loads(text))
    return compiled
