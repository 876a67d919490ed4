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

Usage: python bench/dependency_work.py
"""

from __future__ import annotations

import gc
import os

# As asl-gen's command line does before it imports anything (asl_gen/cli/__init__.py and collector.py): no cyclic
# garbage collection during start-up, and no search of the installed packages for Pydantic plugins.
gc.disable()
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import json  # noqa: E402
from pathlib import Path  # noqa: E402

import click  # noqa: E402, F401  (imported as the floor imports it)
import pydantic  # noqa: E402, F401
import yaml  # noqa: E402
from jsonschema import Draft202012Validator  # noqa: E402

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


def main(out: Path = OUT) -> None:
    # The spec's models: created by importing them; validation builds the validators of the job models it needs.
    from asl_gen.spec.load import _model_for

    data = yaml.safe_load((REPO / "examples" / "big-mart" / "spec.yaml").read_text(encoding="utf-8"))
    _model_for(data).model_validate(data)

    # asl-gen's environment: the one whose bytecode cache a build reads, so Jinja2 does what it does in a build.
    from asl_gen.render.environment import builtin_environment

    environment = builtin_environment()
    for name in TEMPLATES:
        environment.get_template(name)

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


if __name__ == "__main__":
    main()
