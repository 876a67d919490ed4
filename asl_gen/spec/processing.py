"""Processing jobs: a container (a framework image or your own) reading S3 inputs and writing S3 outputs.

The request limits below are CreateProcessingJob's, from botocore 1.44.8's SageMaker service model
(`botocore/data/sagemaker/2017-07-24/service-2.json`: ProcessingInputs and ProcessingOutputs at most 10,
ContainerEntrypoint and ContainerArguments 1-100 strings of at most 256 characters, ProcessingEnvironmentMap
at most 100 entries of at most 256 characters, ProcessingLocalPath at most 256 characters,
ProcessingMaxRuntimeInSeconds 1-777600, ProcessingInstanceCount 1-100, ProcessingVolumeSizeInGB 1-16384).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Discriminator, Field, StringConstraints, Tag

from asl_gen import catalog
from asl_gen.catalog_processing import (
    FRAMEWORK_COMMANDS,
    ImageLookupError,
    processing_instance_types,
    resolve_framework,
)
from asl_gen.catalog_processing import FrameworkImage as ResolvedImage
from asl_gen.spec.base import (
    EcrImage,
    InstanceJob,
    JobInstances,
    NonEmpty,
    S3Uri,
    StrictModel,
    matching,
)
from asl_gen.spec.dataflow import S3Input
from asl_gen.spec.step import NamedStep

MAX_RUNTIME_LIMIT = 777600
IO_LIMIT = 10
PROCESSING_ROOT = "/opt/ml/processing/"
CODE_INPUT = "code"
CODE_DIR = "/opt/ml/processing/input/code"
IO_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")


def _processing_instance_type(value: str) -> str:
    types = processing_instance_types()
    if value in types:
        return value
    hint = catalog.suggest(value, types)
    if value in catalog.INSTANCE_TYPES:
        raise ValueError(
            f"{value!r} is not offered for processing jobs" + (f" (did you mean {hint!r}?)" if hint else "")
        )
    raise ValueError(f"{value!r} is not a SageMaker instance type" + (f" (did you mean {hint!r}?)" if hint else ""))


def _local_path(value: str) -> str:
    if not value.startswith(PROCESSING_ROOT) or value.rstrip("/") == PROCESSING_ROOT.rstrip("/"):
        raise ValueError(f"local path {value!r} is not under {PROCESSING_ROOT} (write it as {PROCESSING_ROOT}<folder>)")
    if posixpath.normpath(value) != value.rstrip("/") or "//" in value:
        raise ValueError(f"local path {value!r} has '.', '..' or '//' in it (write it as {PROCESSING_ROOT}<folder>)")
    return value


ProcessingInstanceType = Annotated[str, AfterValidator(_processing_instance_type)]
LocalPath = Annotated[str, StringConstraints(max_length=256), AfterValidator(_local_path)]
# The folder in the container an input is copied to, or an output uploaded from.
IoFolder = Annotated[
    LocalPath | None,
    Field(
        description="The container's folder for it: where an input is copied to, or what an output uploads "
        "(default /opt/ml/processing/input/<name> or /opt/ml/processing/output/<name>)",
        examples=["/opt/ml/processing/input/raw", "/opt/ml/processing/train"],
    ),
]


IoName = Annotated[
    str,
    matching(
        IO_NAME, "an input or output name (write it as 1-64 letters, digits, '-' and '_', starting with a letter)"
    ),
]
ContainerString = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class ProcessingInstance(JobInstances):
    type: ProcessingInstanceType = Field(
        description="An instance type offered for processing jobs (a GPU type selects a framework's GPU image)",
        examples=["ml.m5.xlarge", "ml.g5.2xlarge"],
    )


class FrameworkImage(StrictModel):
    framework: NonEmpty = Field(
        description="A SageMaker framework container; its image URI is resolved offline for the region",
        examples=["sklearn", "pytorch", "tensorflow", "xgboost", "spark", "huggingface"],
    )
    version: NonEmpty = Field(
        description="The framework's version, quoted, as the SageMaker Python SDK names it", examples=["1.2-1", "2.3"]
    )
    py_version: NonEmpty | None = Field(
        None, description="The image's Python version where a framework version has several", examples=["py310"]
    )
    base: NonEmpty | None = Field(
        None,
        description="Hugging Face only: the deep learning framework under transformers (default: the newest)",
        examples=["pytorch2.1.0"],
    )


def _image_kind(value: Any) -> str:
    return "Uri" if isinstance(value, str) else "Framework"


# Picked by the value's kind, so that a wrong URI is not also told it is not a mapping (and the other way round).
Image = Annotated[
    Annotated[EcrImage, Tag("Uri")] | Annotated[FrameworkImage, Tag("Framework")],
    Discriminator(_image_kind),
]


class ProcessingInput(S3Input):
    # A processing job reads no augmented manifest (ProcessingS3DataType).
    data_type: Literal["S3Prefix", "ManifestFile"] = Field(
        "S3Prefix", description="What s3 points at", examples=["S3Prefix"]
    )
    local_path: IoFolder = None
    input_mode: Literal["File", "Pipe"] = Field(
        "File", description="Copy the data before the job starts, or stream it", examples=["File"]
    )


class ProcessingOutput(StrictModel):
    s3: S3Uri = Field(description="S3 URI SageMaker uploads the output to", examples=["s3://my-bucket/abalone/train"])
    local_path: IoFolder = None
    upload_mode: Literal["EndOfJob", "Continuous"] = Field(
        "EndOfJob", description="Upload when the job ends, or while it runs", examples=["EndOfJob"]
    )
    per_execution: bool = Field(
        False,
        description="Upload under <s3>/<execution name>/ instead of s3 itself, so that runs of the state machine "
        "at the same time do not overwrite each other's output; the steps that read it by reference (and a gate on "
        "a report in it) read the same run's folder",
        examples=[True],
    )


ProcessingEnvironment = Annotated[
    dict[
        Annotated[str, StringConstraints(pattern=r"^[a-zA-Z_][a-zA-Z0-9_]{0,255}$")],
        Annotated[str, StringConstraints(max_length=256)],
    ],
    Field(max_length=100),
]


# InstanceJob first: the fields every step has (Step's `type` first among them) keep their places.
class ProcessingJob(InstanceJob, NamedStep):
    state_name_example = "Preprocess"

    type: Literal["processing"] = Field(description="A SageMaker processing job, run with createProcessingJob.sync")
    image: Image = Field(
        description="A framework container by name and version, or the ECR image URI of your own",
        examples=[{"framework": "sklearn", "version": "1.2-1"}, "123456789012.dkr.ecr.us-east-1.amazonaws.com/prep:1"],
    )
    instance: ProcessingInstance = Field(
        description="The processing instances", examples=[{"type": "ml.m5.xlarge", "count": 1, "volume_gb": 30}]
    )
    code: S3Uri | None = Field(
        None,
        description="S3 URI of a script; SageMaker copies it to /opt/ml/processing/input/code/ and the image runs it",
        examples=["s3://my-bucket/code/preprocess.py"],
    )
    entrypoint: Annotated[list[ContainerString], Field(min_length=1, max_length=100)] | None = Field(
        None,
        description="The container's entrypoint (default: the framework's runner and the code's local path)",
        examples=[["python3", "/opt/ml/processing/input/code/preprocess.py"]],
    )
    arguments: Annotated[list[ContainerString], Field(max_length=100)] = Field(
        [], description="Arguments passed to the entrypoint", examples=[["--train-ratio", "0.7"]]
    )
    inputs: Annotated[dict[IoName, ProcessingInput], Field(max_length=IO_LIMIT)] = Field(
        {},
        description="Inputs by name, copied from S3 before the job starts",
        examples=[{"raw": {"s3": "s3://my-bucket/abalone/raw/abalone.csv"}}],
    )
    outputs: Annotated[dict[IoName, ProcessingOutput], Field(max_length=IO_LIMIT)] = Field(
        {},
        description="Outputs by name, uploaded to S3; later steps can read their S3 URIs from the result",
        examples=[{"train": {"s3": "s3://my-bucket/abalone/train", "local_path": "/opt/ml/processing/train"}}],
    )
    environment: ProcessingEnvironment = Field(
        {}, description="Environment variables of the container (at most 100)", examples=[{"LOG_LEVEL": "info"}]
    )
    max_runtime_seconds: Annotated[int, Field(ge=1, le=MAX_RUNTIME_LIMIT)] = Field(
        86400, description="SageMaker stops the job after this many seconds (at most 9 days)", examples=[3600]
    )

    def input_path(self, name: str) -> str:
        """Where the container finds input `name`."""
        given = self.inputs[name].local_path
        return given if given is not None else f"{PROCESSING_ROOT}input/{name}"

    def output_path(self, name: str) -> str:
        """The folder the container writes output `name` to."""
        given = self.outputs[name].local_path
        return given if given is not None else f"{PROCESSING_ROOT}output/{name}"

    def framework_image(self) -> ResolvedImage | None:
        """The framework image resolved for the instance type (None for an image of your own).

        Raises LookupError when the framework, version, Python version or processor is not offered.
        """
        if isinstance(self.image, str):
            return None
        return resolve_framework(
            self.image.framework,
            self.image.version,
            instance_type=self.instance.type,
            py_version=self.image.py_version,
            base=self.image.base,
        )

    @property
    def entrypoint_or_default(self) -> list[str] | None:
        """The container's entrypoint: as given, else the framework's runner and the code (None: the image's own)."""
        if self.entrypoint is not None:
            return list(self.entrypoint)
        if self.code_path is None or isinstance(self.image, str):
            return None
        return [*FRAMEWORK_COMMANDS[self.image.framework], self.code_path]

    @property
    def code_path(self) -> str | None:
        """The script's path inside the container, when the job has code."""
        if self.code is None:
            return None
        return f"{CODE_DIR}/{posixpath.basename(self.code)}"


def processing_problems(
    job: ProcessingJob, region: str | None
) -> Iterator[tuple[tuple[str | int, ...], str, str | None]]:
    """What no single field of a processing job can check: its image in the region, and paths, names and counts
    across its inputs and outputs.

    Each problem is (path inside the job, message, hint).
    """
    try:
        image = job.framework_image()
        if image is not None and region is not None:
            image.uri(region)
    except ImageLookupError as exc:
        message, _, hint = str(exc).partition(": ")
        yield ("image", exc.field) if exc.field else ("image",), message, hint or None
    if job.code is not None:
        if job.code.endswith("/") or "/" not in job.code[len("s3://") :]:
            yield ("code",), f"code {job.code!r} is a folder, not a file", "name the script: s3://bucket/code/script.py"
        if CODE_INPUT in job.inputs:
            yield (
                ("inputs", CODE_INPUT),
                f"input name {CODE_INPUT!r} is taken by the job's code",
                "give the input another name",
            )
        if len(job.inputs) >= IO_LIMIT:
            yield (
                ("inputs",),
                f"the job has {len(job.inputs)} inputs and code; SageMaker takes at most {IO_LIMIT} inputs",
                "the code counts as one input",
            )
    if isinstance(job.image, str) and job.code is not None and job.entrypoint is None:
        yield (
            ("code",),
            "with an image of your own, asl-gen cannot tell how to run the code",
            f"give entrypoint: [python3, {job.code_path}]",
        )
    seen: dict[str, tuple[str, ...]] = {}
    if job.code is not None:
        seen[CODE_DIR] = ("code",)
    for kind, names in (("inputs", list(job.inputs)), ("outputs", list(job.outputs))):
        for name in names:
            if kind == "inputs" and name == CODE_INPUT and job.code is not None:
                continue
            path = job.input_path(name) if kind == "inputs" else job.output_path(name)
            where: tuple[str, ...] = (kind, name, "local_path") if getattr(job, kind)[name].local_path else (kind, name)
            key = path.rstrip("/")
            clash = next((k for k in seen if k == key or key.startswith(k + "/") or k.startswith(key + "/")), None)
            if clash is not None:
                other = ".".join(seen[clash][:2]) if seen[clash] != ("code",) else "code"
                yield (
                    where,
                    f"local path {path!r} overlaps {other}'s {clash!r}",
                    "give each input and output a folder of its own",
                )
            else:
                seen[key] = (kind, name)
