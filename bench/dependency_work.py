"""The dependencies' share of `asl-gen build` of big-mart, alone: what the start-up target's floor leaves out.

The floor only imports pydantic, jsonschema, jinja2, PyYAML and click. A build then hands them work that no
change to asl-gen's own code can remove, and this script does just that work, in a fresh process:

* Pydantic: asl-gen's spec models are created (their classes are asl-gen's declarations, the work of creating
  them is Pydantic's) and big-mart's spec is validated by them;
* Jinja2: the templates a build of big-mart renders are loaded (through asl-gen's compiled-template cache);
* jsonschema: big-mart's definitions and policies are validated against asl-gen's schemas, and its input schemas
  against the JSON Schema meta-schema, as a build checks every document before it writes;
* PyYAML: the spec is parsed.

It reads the documents from `out/big-mart/` (committed and kept current by `asl-gen check`), so that it renders
nothing and derives nothing itself. `bench/run.py` times it as a row beside the floor and the build: the build's
time over this row is asl-gen's own share.

Usage: python bench/dependency_work.py [--split [N]]

--split prints where the time goes instead, the median of N fresh runs (default 9): the floor's imports, then each
share of the work, Pydantic's split from the asl-gen code that importing the models runs with them (the module
bodies of the spec package and the integrations table a `call` step is checked against).
"""

from __future__ import annotations

import gc
import os

# As asl-gen's command line does before it imports anything (asl_gen/cli/__init__.py and collector.py): no cyclic
# garbage collection during start-up, and no search of the installed packages for Pydantic plugins.
gc.disable()
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import time  # noqa: E402

STARTED = time.perf_counter()

import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import click  # noqa: E402, F401  (imported as the floor imports it)
import jinja2  # noqa: E402, F401
import pydantic  # noqa: E402, F401
import yaml  # noqa: E402
from jsonschema import Draft202012Validator  # noqa: E402

IMPORTED = time.perf_counter()

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "out" / "big-mart"
# The templates a build of big-mart loads (Environment._load_template's names, recorded during one build).
TEMPLATES = (
    "cloudformation/template.json.j2",
    "iam/policy.json.j2",
    "iam/trust-policy.json.j2",
    "input-schema.json.j2",
    "macros.j2",
    "sagemaker/create-endpoint-config.json.j2",
    "sagemaker/create-endpoint.json.j2",
    "sagemaker/create-model.json.j2",
    "sagemaker/create-training-job.json.j2",
    "sagemaker/describe-training-job.json.j2",
    "sagemaker/training-definition.j2",
    "state-machine.asl.json.j2",
    "states.j2",
    "terraform/main.tf.json.j2",
    "terraform/outputs.tf.json.j2",
    "terraform/variables.tf.json.j2",
)


def main(out: Path = OUT, lap: Callable[[str], None] = lambda stage: None) -> None:
    # The spec's models: created by importing them; validation builds the validators of the job models it needs.
    from asl_gen.spec.load import _model_for

    lap("import")
    data = yaml.safe_load((REPO / "examples" / "big-mart" / "spec.yaml").read_text(encoding="utf-8"))
    lap("yaml")
    _model_for(data).model_validate(data)
    lap("validate")

    import jinja2.sandbox  # noqa: F401  (what asl-gen's environment is built on; a Jinja2 import the floor leaves out)

    lap("jinja2")
    # asl-gen's environment: the one whose bytecode cache a build reads, so Jinja2 does what it does in a build.
    from asl_gen.render.environment import builtin_environment

    lap("import")
    environment = builtin_environment()
    for name in TEMPLATES:
        environment.get_template(name)
    lap("jinja2")

    schemas = REPO / "schemas"
    asl = Draft202012Validator(json.loads((schemas / "asl.schema.json").read_text(encoding="utf-8")))
    policy = Draft202012Validator(json.loads((schemas / "iam-policy.schema.json").read_text(encoding="utf-8")))
    checked = 0
    for path in sorted(out.rglob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        relative = path.relative_to(out).as_posix()
        if relative.endswith(".asl.json"):
            errors = list(asl.iter_errors(document))
        elif relative.startswith("iam/"):
            errors = list(policy.iter_errors(document))
        elif relative.startswith("inputs/"):
            errors = list(Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(document))
        else:
            continue  # Terraform and CloudFormation: checked by asl-gen's own code, not by a schema
        if errors:
            raise SystemExit(f"{path}: {errors[0].message} (out/ is stale: run asl-gen build)")
        checked += 1
    if checked == 0:
        raise SystemExit(f"no documents under {out}: run asl-gen build")
    lap("jsonschema")


# --split: where the time goes ---------------------------------------------------------------------------------

ROWS = {
    "floor": "the floor: importing the five dependencies",
    "internals": "Pydantic: its model machinery, imported on first use",
    "classes": "Pydantic: creating the spec's model classes",
    "fields": "Pydantic: Field() in the class bodies",
    "own": "asl-gen's own code run by that import",
    "yaml": "PyYAML: parsing the spec",
    "validate": "Pydantic: building validators, validating big-mart",
    "jinja2": "Jinja2: loading the templates (compiled-template cache)",
    "jsonschema": "jsonschema: checking big-mart's documents",
}


def split_child() -> dict[str, float]:
    """One run's seconds by row of ROWS; Pydantic's class creation and Field() are timed by wrapping them."""
    import pydantic.fields
    from pydantic import BaseModel  # noqa: F401  (the first use imports the model machinery)
    from pydantic._internal import _model_construction

    seconds = dict.fromkeys(ROWS, 0.0)
    seconds["floor"] = IMPORTED - STARTED
    seconds["internals"] = time.perf_counter() - IMPORTED

    def timed(key: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[key] += time.perf_counter() - start

        return wrapper

    metaclass = _model_construction.ModelMetaclass
    metaclass.__new__ = timed("classes", metaclass.__new__)  # type: ignore[method-assign]
    pydantic.fields.Field = pydantic.Field = timed("fields", pydantic.fields.Field)  # type: ignore[assignment]
    last = time.perf_counter()
    pydantic_before = 0.0

    def lap(stage: str) -> None:
        # Importing asl-gen's modules runs their code and, inside it, Pydantic's: "own" is the difference.
        nonlocal last, pydantic_before
        now = time.perf_counter()
        pydantic_now = seconds["classes"] + seconds["fields"]
        if stage == "import":
            seconds["own"] += now - last - (pydantic_now - pydantic_before)
        else:
            seconds[stage] += now - last
        last, pydantic_before = now, pydantic_now

    main(lap=lap)
    return seconds


def split(runs: int) -> None:
    samples: dict[str, list[float]] = {key: [] for key in ROWS}
    bare: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.perf_counter() - start)
        child = subprocess.run([sys.executable, __file__, "--split-child"], check=True, capture_output=True, text=True)
        for key, value in json.loads(child.stdout).items():
            samples[key].append(value)
    medians = {key: statistics.median(values) for key, values in samples.items()}
    # bench/run.py's floor is a process: the interpreter's own start-up, then the five imports.
    floor = statistics.median(bare) + medians["floor"]
    work = sum(medians.values()) - medians["floor"] - medians["own"]
    print(f"where bench/dependency_work.py's time goes (median of {runs} fresh runs, clocks inside the process)")
    print(f"  {'python -c pass (a process of its own)':<58} {statistics.median(bare) * 1000:7.1f} ms")
    for key, text in ROWS.items():
        print(f"  {text:<58} {medians[key] * 1000:7.1f} ms")
    total = "the dependencies' work, asl-gen's own code left out"
    print(f"  {total:<58} {work * 1000:7.1f} ms")
    print(f"the floor (python -c pass + the imports) plus that work: {(floor + work) / floor:.2f}x the floor")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--split-child"]:
        print(json.dumps(split_child()))
    elif sys.argv[1:2] == ["--split"]:
        split(int(sys.argv[2]) if len(sys.argv) > 2 else 9)
    else:
        main()
