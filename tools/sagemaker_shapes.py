"""Write `schemas/sagemaker-requests.json`: the request shapes of every SageMaker API, from botocore's service model.

Run at development time only (botocore is never a runtime dependency of asl-gen):

    pip download botocore==<version> --no-deps -d /tmp/bc && unzip -q /tmp/bc/botocore-*.whl -d /tmp/bc
    python tools/sagemaker_shapes.py /tmp/bc/botocore/data/sagemaker/2017-07-24/service-2.json.gz --version <version>

With no path it reads the botocore installed in this environment (moto pulls it in with the test extras). The
file keeps, for each operation, its request shape, and for each shape reachable from those: its type, members
and required members (structures), member/key/value shapes (lists, maps), enum values, min/max (length, value,
list size) and string patterns. Documentation and everything else is dropped. Step Functions' aws-sdk integration
can call any SageMaker operation, so every operation is kept: ~330 KB of JSON, ~50 KB zipped in the wheel, read
(lazily, in a few milliseconds) only when a spec calls SageMaker.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "schemas" / "sagemaker-requests.json"
MODEL = "sagemaker/2017-07-24/service-2.json"
KEPT = ("type", "required", "min", "max", "pattern", "enum", "union")


def _compact(shape: dict[str, Any]) -> dict[str, Any]:
    compact = {k: shape[k] for k in KEPT if k in shape}
    if "members" in shape:
        compact["members"] = {name: member["shape"] for name, member in shape["members"].items()}
    for part in ("member", "key", "value"):
        if part in shape:
            compact[part] = shape[part]["shape"]
    return compact


def shapes_document(model: dict[str, Any], source: dict[str, str]) -> dict[str, Any]:
    """The compact request shapes of every operation of `model` (a botocore service-2.json, parsed)."""
    operations = {name: op["input"]["shape"] for name, op in sorted(model["operations"].items()) if "input" in op}
    shapes: dict[str, dict[str, Any]] = {}
    pending = list(operations.values())
    while pending:
        name = pending.pop()
        if name in shapes:
            continue
        shapes[name] = _compact(model["shapes"][name])
        pending.extend(shapes[name].get("members", {}).values())
        pending.extend(shapes[name][p] for p in ("member", "key", "value") if p in shapes[name])
    return {"source": source, "operations": operations, "shapes": dict(sorted(shapes.items()))}


def render(document: dict[str, Any]) -> str:
    """Deterministic text, one operation or shape a line (diffs stay readable when botocore moves)."""

    def block(name: str, items: dict[str, Any]) -> str:
        compact = {"sort_keys": True, "separators": (",", ":")}
        lines = [f"    {json.dumps(k)}: {json.dumps(v, **compact)}" for k, v in items.items()]  # type: ignore[arg-type]
        return f'  "{name}": {{\n' + ",\n".join(lines) + "\n  }"

    head = f'  "source": {json.dumps(document["source"], sort_keys=True)}'
    parts = (head, block("operations", document["operations"]), block("shapes", document["shapes"]))
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _installed() -> tuple[Path, str]:
    import botocore  # type: ignore[import-untyped]  # development tool only

    base = Path(botocore.__file__).parent / "data" / MODEL
    return (base if base.exists() else base.with_name(base.name + ".gz")), botocore.__version__


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", type=Path, help=f"botocore's {MODEL} (or .json.gz); default: installed")
    parser.add_argument("--version", help="the botocore version the file comes from (default: the installed one)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="exit 1 if --out differs from what would be written")
    args = parser.parse_args(argv)
    path, version = (args.model, args.version) if args.model else _installed()
    if version is None:
        parser.error("give --version with an explicit model path")
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    source = {"botocore": version, "file": f"botocore/data/{MODEL}", "sha256": hashlib.sha256(raw).hexdigest()}
    text = render(shapes_document(json.loads(raw), source))
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is not what botocore {version} gives: regenerate it", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text.encode())} bytes) from botocore {version}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
