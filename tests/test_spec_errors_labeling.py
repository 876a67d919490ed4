"""Every mistake in a labeling step gives a located line with a hint, exit 2, nothing written.

The base spec is the golden case tests/cases/labeling; each row changes one thing in it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from asl_gen.cli import main

BASE = Path(__file__).parent / "cases" / "labeling" / "spec.yaml"

# (what the user got wrong, text replaced in the base spec, replacement, the exact first message expected)
MISTAKES = [
    (
        "misspelt task type",
        "task: bounding-box",
        "task: bounding-boxes",
        "spec.yaml:13:11: jobs.label.task: unknown Ground Truth task type 'bounding-boxes': did you mean "
        "'bounding-box'? use one of: bounding-box, image-classification, image-multilabel-classification, "
        "named-entity-recognition, semantic-segmentation, text-classification, text-multilabel-classification",
    ),
    (
        "task type from another family",
        "task: bounding-box",
        "task: video-object-tracking",
        "spec.yaml:13:11: jobs.label.task: unknown Ground Truth task type 'video-object-tracking': use one of: "
        "bounding-box, image-classification, image-multilabel-classification, named-entity-recognition, "
        "semantic-segmentation, text-classification, text-multilabel-classification",
    ),
    (
        "no region",
        'aws: {region: us-east-1, account: "123456789012"}',
        'aws: {account: "123456789012"}',
        "spec.yaml:13:11: jobs.label.task: a labeling job needs aws.region: Ground Truth's task Lambdas are in a "
        "different AWS account per region (set aws.region to one of: ap-northeast-1, ap-northeast-2, ap-south-1, "
        "ap-southeast-1, ap-southeast-2, ca-central-1, eu-central-1, eu-west-1, eu-west-2, us-east-1, us-east-2, "
        "us-west-2)",
    ),
    (
        "region without Ground Truth",
        "aws: {region: us-east-1,",
        "aws: {region: eu-north-1,",
        "spec.yaml:13:11: jobs.label.task: Ground Truth's built-in task types are not offered in region "
        "'eu-north-1': use one of: ap-northeast-1, ap-northeast-2, ap-south-1, ap-southeast-1, ap-southeast-2, "
        "ca-central-1, eu-central-1, eu-west-1, eu-west-2, us-east-1, us-east-2, us-west-2",
    ),
    (
        "manifest not an S3 URI",
        "manifest: s3://cars-labeling/input/images.manifest",
        "manifest: s3//cars-labeling/input/images.manifest",
        "spec.yaml:14:15: jobs.label.manifest: 's3//cars-labeling/input/images.manifest' is not an S3 URI (write "
        "it as s3://bucket/prefix)",
    ),
    (
        "workteam not an ARN",
        "workteam: arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/car-spotters",
        "workteam: car-spotters",
        "spec.yaml:20:15: jobs.label.workteam: 'car-spotters' is not a work team ARN "
        "(arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/my-team)",
    ),
    (
        "workteam in another region",
        "workteam: arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/car-spotters",
        "workteam: arn:aws:sagemaker:us-west-2:123456789012:workteam/private-crowd/car-spotters",
        "spec.yaml:20:15: jobs.label.workteam: the work team is in region 'us-west-2', the labeling job in "
        "'us-east-1' (a labeling job uses a work team of its own region)",
    ),
    (
        "private workteam of another account",
        "workteam: arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/car-spotters",
        "workteam: arn:aws:sagemaker:us-east-1:999999999999:workteam/private-crowd/car-spotters",
        "spec.yaml:20:15: jobs.label.workteam: the private work team belongs to account 999999999999, not "
        "123456789012 (a private work team is one of your own account's)",
    ),
    (
        "public workforce of a wrong account",
        "us-east-1:394669845002:workteam/public-crowd",
        "us-east-1:123456789012:workteam/public-crowd",
        "spec.yaml:38:15: jobs.entities.workteam: the public workforce's work team is in account 394669845002, not "
        "123456789012 (use arn:aws:sagemaker:us-east-1:394669845002:workteam/public-crowd/default)",
    ),
    (
        "public workforce without a price",
        "    price_per_task: 0.036\n",
        "",
        "spec.yaml:38:15: jobs.entities.workteam: the public workforce (Amazon Mechanical Turk) is paid per task "
        "(give price_per_task in US dollars, e.g. price_per_task: 0.036)",
    ),
    (
        "public workforce without the PII declaration",
        "    free_of_pii: true\n",
        "",
        "spec.yaml:38:15: jobs.entities.workteam: Ground Truth fails a job for the public workforce whose data is "
        "not declared free of personal information (make sure the data holds none, then set free_of_pii: true)",
    ),
    (
        "public workforce task available too long",
        "task_availability_seconds: 21600",
        "task_availability_seconds: 86400",
        "spec.yaml:44:32: jobs.entities.task_availability_seconds: 86400 seconds is longer than the public "
        "workforce keeps a task (43200, 12 hours)",
    ),
    (
        "price for a private team",
        "    max_objects: 1000\n",
        "    max_objects: 1000\n    price_per_task: 0.05\n",
        "spec.yaml:29:21: jobs.label.price_per_task: only the public workforce is paid per task through the job "
        "(leave price_per_task out for a private or vendor work team)",
    ),
    (
        "price below a tenth of a cent",
        "price_per_task: 0.036",
        "price_per_task: 0.0365",
        "spec.yaml:41:21: jobs.entities.price_per_task: 0.0365 is not a task price: 0.001 to 2.999 US dollars, in "
        "steps of 0.001",
    ),
    (
        "price above the maximum",
        "price_per_task: 0.036",
        "price_per_task: 3.5",
        "spec.yaml:41:21: jobs.entities.price_per_task: 3.5 is not a task price: 0.001 to 2.999 US dollars, in "
        "steps of 0.001",
    ),
    (
        "template missing",
        "    ui_template: s3://cars-labeling/config/bounding-box.liquid.html\n",
        "",
        "spec.yaml:11:5: jobs.label: task type 'bounding-box' needs a worker task template (give ui_template, the "
        "S3 URI of a worker task template; the Ground Truth console offers one per task type)",
    ),
    (
        "template for a task with an AWS UI",
        "    price_per_task: 0.036\n",
        "    price_per_task: 0.036\n    ui_template: s3://cars-labeling/x.html\n",
        "spec.yaml:42:18: jobs.entities.ui_template: task type 'named-entity-recognition' uses AWS's own worker "
        "UI, not a template (leave ui_template out)",
    ),
    (
        "label attribute ending -metadata",
        "label_attribute: vehicles",
        "label_attribute: vehicles-metadata",
        "spec.yaml:18:22: jobs.label.label_attribute: 'vehicles-metadata' ends with '-metadata', which Ground "
        "Truth reserves for the label's metadata",
    ),
    (
        "label attribute with an underscore",
        "label_attribute: vehicles",
        "label_attribute: my_vehicles",
        "spec.yaml:18:22: jobs.label.label_attribute: 'my_vehicles' is not a label attribute name: at most 127 "
        "letters, digits and hyphens, starting and ending with a letter or digit",
    ),
    (
        "semantic segmentation attribute without -ref",
        "task: bounding-box",
        "task: semantic-segmentation",
        "spec.yaml:18:22: jobs.label.label_attribute: task type 'semantic-segmentation' needs a label attribute "
        "ending with '-ref' (write vehicles-ref)",
    ),
    (
        "too many workers",
        "workers_per_object: 3",
        "workers_per_object: 12",
        "spec.yaml:24:25: jobs.label.workers_per_object: 12 is out of range: input should be less than or equal to 9",
    ),
    (
        "task time limit too short",
        "task_time_limit_seconds: 300",
        "task_time_limit_seconds: 10",
        "spec.yaml:25:30: jobs.label.task_time_limit_seconds: 10 is out of range: input should be greater than or "
        "equal to 30",
    ),
    (
        "task time limit too long",
        "task_time_limit_seconds: 300",
        "task_time_limit_seconds: 86400",
        "spec.yaml:25:30: jobs.label.task_time_limit_seconds: 86400 is out of range: input should be less than or "
        "equal to 28800",
    ),
    (
        "too many concurrent tasks",
        "max_concurrent_tasks: 100",
        "max_concurrent_tasks: 10000",
        "spec.yaml:27:27: jobs.label.max_concurrent_tasks: 10000 is out of range: input should be less than or "
        "equal to 5000",
    ),
    (
        "no objects",
        "max_objects: 1000",
        "max_objects: 0",
        "spec.yaml:28:18: jobs.label.max_objects: 0 is out of range: input should be greater than or equal to 1",
    ),
    (
        "title too long",
        "title: Draw boxes around cars",
        "title: " + "x" * 129,
        "spec.yaml:21:12: jobs.label.title: the title has 129 characters; give 1-128, without control characters",
    ),
    (
        "keyword with punctuation",
        "keywords: [Images, Bounding box]",
        "keywords: [Images, bounding-box]",
        "spec.yaml:23:24: jobs.label.keywords.1: 'bounding-box' is not a task keyword: at most 30 letters and "
        "digits, words split by one space",
    ),
    (
        "six keywords",
        "keywords: [Images, Bounding box]",
        "keywords: [a, b, c, d, e, f]",
        "spec.yaml:23:15: jobs.label.keywords: List should have at most 5 items after validation, not 6",
    ),
    (
        "name too long",
        "name: reviews-entities",
        "name: " + "r" * 64,
        "spec.yaml:33:11: jobs.entities.name: 'rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr' "
        "is not a SageMaker name: at most 63 letters, digits and hyphens, starting and ending with a letter or "
        "digit",
    ),
    (
        "misspelt field",
        "workers_per_object: 3",
        "workers_per_objects: 3",
        "spec.yaml:24:5: jobs.label.workers_per_objects: unknown field 'workers_per_objects' (did you mean "
        "'workers_per_object'?)",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_labeling_mistake_gives_a_located_line(
    old: str, new: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = BASE.read_text()
    assert old in text, f"the base spec no longer contains {old!r}; update the table"
    (tmp_path / "spec.yaml").write_text(text.replace(old, new, 1))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "spec.yaml", "--out", "out"])
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert lines[0] == expected, result.output
    assert lines[-1].endswith("found")
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_the_base_spec_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", str(BASE), "--out", "out"])
    assert result.exit_code == 0, result.output
