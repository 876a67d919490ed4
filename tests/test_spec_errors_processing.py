"""Every mistake in a processing job gives one located line with a hint, exit 2, nothing written.

The base spec is the golden case tests/cases/processing (a framework-image job and one of your own image).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from asl_gen.cli import main

from .conftest import REPO

BASE = REPO / "tests" / "cases" / "processing" / "spec.yaml"

# (what the user got wrong, text replaced in the base spec, replacement, the exact message expected)
MISTAKES = [
    (
        "misspelt framework",
        "framework: sklearn",
        "framework: sklarn",
        (
            "spec.yaml:14:24: jobs.preprocess.image.framework: unknown framework 'sklarn' (did you mean "
            "'sklearn'? use one of: huggingface, pytorch, sklearn, spark, tensorflow, xgboost)"
        ),
    ),
    (
        "unknown framework version",
        'version: "1.2-1"',
        'version: "1.3-1"',
        (
            "spec.yaml:14:42: jobs.preprocess.image.version: framework 'sklearn' has no version '1.3-1' (did you "
            "mean '1.2-1'? known versions: 0.20.0, 0.23-1, 1.0-1, 1.2-1, 1.4-2, 1.4-2-py312, 1.9-0)"
        ),
    ),
    (
        "python version the image lacks",
        'version: "1.2-1"}',
        'version: "1.2-1", py_version: py38}',
        (
            "spec.yaml:14:63: jobs.preprocess.image.py_version: framework 'sklearn' version '1.2-1' has no "
            "py_version 'py38' (did you mean 'py3'? use one of: py3)"
        ),
    ),
    (
        "base on a non-Hugging Face image",
        'version: "1.2-1"}',
        'version: "1.2-1", base: pytorch2.1.0}',
        (
            "spec.yaml:14:57: jobs.preprocess.image.base: framework 'sklearn' takes no base (only huggingface "
            "images have one; leave it out)"
        ),
    ),
    (
        "GPU instance for a CPU-only framework",
        "type: ml.m5.xlarge, count: 1",
        "type: ml.g5.xlarge, count: 1",
        (
            "spec.yaml:14:12: jobs.preprocess.image: framework 'sklearn' version '1.2-1' has no GPU image for "
            "ml.g5.xlarge (use a CPU instance type)"
        ),
    ),
    (
        "framework not offered in the region",
        "region: us-east-1",
        "region: ap-southeast-7",
        (
            "spec.yaml:14:12: jobs.preprocess.image: framework 'sklearn' version '1.2-1' has no image in region "
            "'ap-southeast-7' (it is offered in af-south-1, ap-east-1, ap-northeast-1, ap-northeast-2, "
            "ap-northeast-3, ap-south-1, ap-south-2, ap-southeast-1, ap-southeast-2, ap-southeast-3, "
            "ap-southeast-4, ca-central-1, ca-west-1, cn-north-1, cn-northwest-1, eu-central-1, eu-central-2, "
            "eu-north-1, eu-south-1, eu-south-2, eu-west-1, eu-west-2, eu-west-3, il-central-1, me-central-1, "
            "me-south-1, sa-east-1, us-east-1, us-east-2, us-gov-east-1, us-gov-west-1, us-west-1, us-west-2)"
        ),
    ),
    (
        "framework image field misspelt",
        "framework: sklearn",
        "framwork: sklearn",
        "spec.yaml:14:13: jobs.preprocess.image.framwork: unknown field 'framwork' (did you mean 'framework'?)",
    ),
    (
        "malformed image URI",
        "abalone-report:1.0",
        "abalone report:1.0",
        (
            "spec.yaml:27:12: jobs.report.image: '111122223333.dkr.ecr.us-east-1.amazonaws.com/abalone "
            "report:1.0' is not an ECR image URI (123456789012.dkr.ecr.us-east-1.amazonaws.com/repository:tag)"
        ),
    ),
    (
        "instance type processing does not offer",
        "ml.t3.medium",
        "ml.t2.medium",
        (
            "spec.yaml:28:22: jobs.report.instance.type: 'ml.t2.medium' is not offered for processing jobs (did "
            "you mean 'ml.t3.medium'?)"
        ),
    ),
    (
        "misspelt instance type",
        "type: ml.m5.xlarge, count: 1",
        "type: ml.m5.xlarg, count: 1",
        (
            "spec.yaml:15:22: jobs.preprocess.instance.type: 'ml.m5.xlarg' is not a SageMaker instance type (did "
            "you mean 'ml.m5.xlarge'?)"
        ),
    ),
    (
        "instance count too high",
        "count: 1, volume_gb: 30",
        "count: 101, volume_gb: 30",
        (
            "spec.yaml:15:43: jobs.preprocess.instance.count: 101 is out of range: input should be less than or "
            "equal to 100"
        ),
    ),
    (
        "volume too large",
        "count: 1, volume_gb: 30",
        "count: 1, volume_gb: 20000",
        (
            "spec.yaml:15:57: jobs.preprocess.instance.volume_gb: 20000 is out of range: input should be less "
            "than or equal to 16384"
        ),
    ),
    (
        "max runtime over 9 days",
        "max_runtime_seconds: 3600",
        "max_runtime_seconds: 800000",
        (
            "spec.yaml:24:26: jobs.preprocess.max_runtime_seconds: 800000 is out of range: input should be less "
            "than or equal to 777600"
        ),
    ),
    (
        "code is a prefix",
        "code: s3://abalone-data/code/preprocess.py",
        "code: s3://abalone-data/code/",
        (
            "spec.yaml:16:11: jobs.preprocess.code: code 's3://abalone-data/code/' is a folder, not a file (name "
            "the script: s3://bucket/code/script.py)"
        ),
    ),
    (
        "code is not an S3 URI",
        "code: s3://abalone-data/code/preprocess.py",
        "code: abalone-data/code/preprocess.py",
        (
            "spec.yaml:16:11: jobs.preprocess.code: 'abalone-data/code/preprocess.py' is not an S3 URI (write it "
            "as s3://bucket/prefix)"
        ),
    ),
    (
        "input S3 URI not S3",
        "raw: {s3: s3://abalone-data/raw/abalone.csv}",
        "raw: {s3: https://abalone-data/raw/abalone.csv}",
        (
            "spec.yaml:19:17: jobs.preprocess.inputs.raw.s3: 'https://abalone-data/raw/abalone.csv' is not an S3 "
            "URI (write it as s3://bucket/prefix)"
        ),
    ),
    (
        "output S3 URI with a wildcard",
        "s3: s3://abalone-data/train,",
        "s3: s3://abalone-data/train*,",
        (
            "spec.yaml:21:19: jobs.preprocess.outputs.train.s3: the S3 key in 's3://abalone-data/train*' "
            "contains '*', which IAM would read as a wildcard, variable or control character (write the prefix "
            "out without them)"
        ),
    ),
    (
        "local path outside /opt/ml/processing",
        "local_path: /opt/ml/processing/train}",
        "local_path: /tmp/train}",
        (
            "spec.yaml:21:56: jobs.preprocess.outputs.train.local_path: local path '/tmp/train' is not under "
            "/opt/ml/processing/ (write it as /opt/ml/processing/<folder>)"
        ),
    ),
    (
        "local path relative",
        "local_path: /opt/ml/processing/train}",
        "local_path: train}",
        (
            "spec.yaml:21:56: jobs.preprocess.outputs.train.local_path: local path 'train' is not under "
            "/opt/ml/processing/ (write it as /opt/ml/processing/<folder>)"
        ),
    ),
    (
        "local path with ..",
        "local_path: /opt/ml/processing/train}",
        "local_path: /opt/ml/processing/../train}",
        (
            "spec.yaml:21:56: jobs.preprocess.outputs.train.local_path: local path '/opt/ml/processing/../train' "
            "has '.', '..' or '//' in it (write it as /opt/ml/processing/<folder>)"
        ),
    ),
    (
        "local path too long",
        "local_path: /opt/ml/processing/train}",
        "local_path: /opt/ml/processing/" + "a" * 240 + "}",
        "spec.yaml:21:56: jobs.preprocess.outputs.train.local_path: String should have at most 256 characters",
    ),
    (
        "two outputs in one folder",
        "local_path: /opt/ml/processing/test}",
        "local_path: /opt/ml/processing/train}",
        (
            "spec.yaml:22:54: jobs.preprocess.outputs.test.local_path: local path '/opt/ml/processing/train' "
            "overlaps outputs.train's '/opt/ml/processing/train' (give each input and output a folder of its own)"
        ),
    ),
    (
        "output folder inside another",
        "local_path: /opt/ml/processing/test}",
        "local_path: /opt/ml/processing/train/test}",
        (
            "spec.yaml:22:54: jobs.preprocess.outputs.test.local_path: local path "
            "'/opt/ml/processing/train/test' overlaps outputs.train's '/opt/ml/processing/train' (give each "
            "input and output a folder of its own)"
        ),
    ),
    (
        "input named code beside code",
        "raw: {s3:",
        "code: {s3:",
        (
            "spec.yaml:19:13: jobs.preprocess.inputs.code: input name 'code' is taken by the job's code (give "
            "the input another name)"
        ),
    ),
    (
        "input name with a space",
        "raw: {s3:",
        "raw data: {s3:",
        (
            "spec.yaml:19:17: jobs.preprocess.inputs.raw data: 'raw data' is not an input or output name (write "
            "it as 1-64 letters, digits, '-' and '_', starting with a letter)"
        ),
    ),
    (
        "input name starting with a digit",
        "raw: {s3:",
        "1raw: {s3:",
        (
            "spec.yaml:19:13: jobs.preprocess.inputs.1raw: '1raw' is not an input or output name (write it as "
            "1-64 letters, digits, '-' and '_', starting with a letter)"
        ),
    ),
    (
        "unknown input field",
        "raw: {s3: s3://abalone-data/raw/abalone.csv}",
        "raw: {s3: s3://abalone-data/raw/abalone.csv, mode: File}",
        (
            "spec.yaml:19:52: jobs.preprocess.inputs.raw.mode: unknown field 'mode' (allowed here: compression, "
            "data_type, distribution, input_mode, local_path, s3)"
        ),
    ),
    (
        "input mode misspelt",
        "distribution: ShardedByS3Key}",
        "distribution: ShardedByS3Key, input_mode: Stream}",
        "spec.yaml:31:84: jobs.report.inputs.test.input_mode: 'Stream' is not allowed; expected 'File' or 'Pipe'",
    ),
    (
        "data type the processing API lacks",
        "distribution: ShardedByS3Key}",
        "distribution: ShardedByS3Key, data_type: AugmentedManifestFile}",
        (
            "spec.yaml:31:83: jobs.report.inputs.test.data_type: 'AugmentedManifestFile' is not allowed; "
            "expected 'S3Prefix' or 'ManifestFile' (did you mean 'ManifestFile'?)"
        ),
    ),
    (
        "upload mode misspelt",
        "upload_mode: Continuous",
        "upload_mode: continuous",
        (
            "spec.yaml:33:62: jobs.report.outputs.report.upload_mode: 'continuous' is not allowed; expected "
            "'EndOfJob' or 'Continuous' (did you mean 'Continuous'?)"
        ),
    ),
    (
        "argument too long",
        'arguments: ["--train-ratio", "0.7"]',
        'arguments: ["--train-ratio", "' + "7" * 257 + '"]',
        "spec.yaml:17:34: jobs.preprocess.arguments.1: String should have at most 256 characters",
    ),
    (
        "empty entrypoint",
        "entrypoint: [python3, /app/report.py]",
        "entrypoint: []",
        "spec.yaml:29:17: jobs.report.entrypoint: List should have at least 1 item after validation, not 0",
    ),
    (
        "code without entrypoint on your own image",
        "entrypoint: [python3, /app/report.py]",
        "code: s3://abalone-data/code/report.py",
        (
            "spec.yaml:29:11: jobs.report.code: with an image of your own, asl-gen cannot tell how to run the "
            "code (give entrypoint: [python3, /opt/ml/processing/input/code/report.py])"
        ),
    ),
    (
        "environment value too long",
        "environment: {LOG_LEVEL: info}",
        "environment: {LOG_LEVEL: " + "x" * 257 + "}",
        "spec.yaml:23:30: jobs.preprocess.environment.LOG_LEVEL: String should have at most 256 characters",
    ),
    (
        "name too long",
        "name: {prefix: abalone-preprocess}",
        "name: {prefix: abalone-preprocess-with-a-very-long-name}",
        (
            "spec.yaml:13:11: jobs.preprocess.name: prefix 'abalone-preprocess-with-a-very-long-name' must be "
            "1-30 letters, digits and hyphens (asl-gen appends '-' and a 32-character hash; SageMaker names stop "
            "at 63)"
        ),
    ),
    (
        "literal name with underscore",
        "name: {prefix: abalone-preprocess}",
        "name: abalone_preprocess",
        (
            "spec.yaml:13:11: jobs.preprocess.name: 'abalone_preprocess' is not a SageMaker name: at most 63 "
            "letters, digits and hyphens, starting and ending with a letter or digit"
        ),
    ),
    (
        "too many inputs with code",
        "raw: {s3: s3://abalone-data/raw/abalone.csv}",
        "\n      ".join(f"i{n}: {{s3: s3://abalone-data/raw/{n}}}" for n in range(10)),
        (
            "spec.yaml:19:7: jobs.preprocess.inputs: the job has 10 inputs and code; SageMaker takes at most 10 "
            "inputs (the code counts as one input)"
        ),
    ),
    (
        "misspelt job type",
        "type: processing",
        "type: procesing",
        "spec.yaml:12:11: jobs.preprocess.type: 'procesing' is not a job type (did you mean 'processing'?)",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_processing_mistake_gives_one_located_line(
    old: str, new: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = BASE.read_text(encoding="utf-8")
    assert old in text, f"the base spec no longer contains {old!r}; update the table"
    (tmp_path / "spec.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "spec.yaml", "--out", "out"])
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [expected, "1 problem found"]
    assert not (tmp_path / "out").exists()


def test_every_kind_of_mistake_is_a_row_of_its_own() -> None:
    assert len({m[0] for m in MISTAKES}) == len(MISTAKES)
    assert len({m[3] for m in MISTAKES}) == len(MISTAKES)
