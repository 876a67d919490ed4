"""Processing jobs: the framework image catalog, what a run does with the generated state, the SageMaker role's
grants, and the judges nobody on this project wrote (statelint, asl-validator, moto) on the golden cases.

tests/test_policy_judges.py runs parliament and cfn-lint on the golden cases' policies (tests/cases/processing*).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

from asl_gen import catalog, placeholders
from asl_gen.build import Generated, generate
from asl_gen.catalog_processing import FRAMEWORK_COMMANDS, ImageLookupError, frameworks, resolve_framework
from asl_gen.catalog_processing import tables as catalog_data
from asl_gen.simulate import simulate_definition
from asl_gen.spec import ECR_IMAGE

from .conftest import REPO
from .test_judges import _asl_validator, _moto_validate, _run, _tool

CASES = REPO / "tests" / "cases"
REGIONAL = CASES / "processing" / "spec.yaml"
PORTABLE = CASES / "processing-portable" / "spec.yaml"
SKLEARN_REGISTRY = "683313688378.dkr.ecr.us-east-1.amazonaws.com/"
DLC_REGISTRY = "763104351884.dkr.ecr.us-east-1.amazonaws.com/"
SPARK_REGISTRY = "173754725891.dkr.ecr.us-east-1.amazonaws.com/"
# A CPU and a GPU instance type every framework's images run on (Hugging Face's only on GPU).
CPU, GPU = "ml.m5.xlarge", "ml.g5.xlarge"


@functools.cache
def _generated(spec: Path) -> Generated:
    return generate(spec)


def _json(spec: Path, path: str) -> Any:
    return json.loads(_generated(spec).files[path])


# --- the catalog -----------------------------------------------------------------------------------------------


def _every_image() -> list[Any]:
    found = []
    for framework in frameworks():
        table = catalog_data()["frameworks"][framework]
        for version, config in table["versions"].items():
            bases = list(config["bases"]) if framework == "huggingface" else [None]
            for base in bases:
                entry = config["bases"][base] if base is not None else config
                for py_version in entry.get("py_versions", [None]) if framework != "spark" else [None]:
                    for processor in entry.get("processors", ["cpu"]):
                        instance = GPU if processor == "gpu" else CPU
                        label = "-".join(p for p in (framework, version, base, py_version, processor) if p)
                        found.append(pytest.param(framework, version, base, py_version, instance, id=label))
    return found


@pytest.mark.parametrize(("framework", "version", "base", "py_version", "instance"), _every_image())
def test_every_framework_version_resolves_in_every_region_it_lists(
    framework: str, version: str, base: str | None, py_version: str | None, instance: str
) -> None:
    image = resolve_framework(framework, version, instance_type=instance, py_version=py_version, base=base)
    assert image.registries, "an image offered nowhere"
    for region, account in image.registries.items():
        uri = image.uri(region)
        match = ECR_IMAGE.fullmatch(uri)
        assert match is not None, uri
        assert (match.group(1), match.group(2)) == (account, region)
        assert uri.endswith(".amazonaws.com.cn/" + image.repository + ":" + image.tag) == region.startswith("cn-")
        # The placeholder form, filled as a deploy in that region fills it, is the same URI.
        name = placeholders.registry_name(image.placeholder_key)
        template = image.template(
            registry=placeholders.token(name),
            region=placeholders.token(placeholders.REGION),
            dns_suffix=placeholders.token(placeholders.DNS_SUFFIX),
        )
        partition = catalog.partition_for_region(region)
        assert partition is not None
        filled = placeholders.fill_text(
            template,
            {
                name: account,
                placeholders.REGION: region,
                placeholders.DNS_SUFFIX: catalog.PARTITION_DNS_SUFFIX[partition],
            },
        )
        assert filled == uri


def test_every_region_of_the_catalog_is_one_asl_gen_knows() -> None:
    regions = {region for table in catalog_data()["registries"] for region in table}
    assert regions <= set(catalog.REGION_PARTITIONS)


def test_one_repository_has_one_account_per_region_in_every_version() -> None:
    # The registry placeholder is named per repository: its table must not depend on the version.
    accounts: dict[tuple[str, str], set[str]] = {}
    for case in _every_image():
        framework, version, base, py_version, instance = case.values
        image = resolve_framework(framework, version, instance_type=instance, py_version=py_version, base=base)
        for region, account in image.registries.items():
            accounts.setdefault((image.repository, region), set()).add(account)
    assert {key: found for key, found in accounts.items() if len(found) > 1} == {}


@pytest.mark.parametrize(
    ("framework", "version", "instance", "py_version", "base", "uri"),
    [
        ("sklearn", "1.2-1", CPU, None, None, SKLEARN_REGISTRY + "sagemaker-scikit-learn:1.2-1-cpu-py3"),
        ("pytorch", "2.3", GPU, None, None, DLC_REGISTRY + "pytorch-training:2.3.0-gpu-py311"),
        ("pytorch", "2.3.0", CPU, None, None, DLC_REGISTRY + "pytorch-training:2.3.0-cpu-py311"),
        ("tensorflow", "2.16", "ml.p3.2xlarge", None, None, DLC_REGISTRY + "tensorflow-training:2.16.2-gpu-py310"),
        ("xgboost", "1.7-1", CPU, None, None, SKLEARN_REGISTRY + "sagemaker-xgboost:1.7-1"),
        ("xgboost", "1.0-1", CPU, None, None, SKLEARN_REGISTRY + "sagemaker-xgboost:1.0-1-cpu-py3"),
        ("spark", "3.3", CPU, None, None, SPARK_REGISTRY + "sagemaker-spark-processing:3.3-cpu"),
        (
            "huggingface", "4.36", GPU, None, "pytorch2.1",
            DLC_REGISTRY + "huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04",
        ),
    ],
)  # fmt: skip
def test_image_uris_are_the_sdks(
    framework: str, version: str, instance: str, py_version: str | None, base: str | None, uri: str
) -> None:
    # What the SageMaker Python SDK's image_uris.retrieve returns for these (sagemaker-core 2.27.0).
    image = resolve_framework(framework, version, instance_type=instance, py_version=py_version, base=base)
    assert image.uri("us-east-1") == uri


def test_a_framework_not_offered_in_a_region_is_a_lookup_error() -> None:
    image = resolve_framework("sklearn", "1.2-1", instance_type=CPU)
    with pytest.raises(ImageLookupError, match="has no image in region 'ap-southeast-7'"):
        image.uri("ap-southeast-7")


def test_every_framework_has_a_command_to_run_code() -> None:
    assert sorted(FRAMEWORK_COMMANDS) == frameworks()


def test_the_catalog_is_read_only_when_a_spec_has_a_processing_job() -> None:
    # Start-up time: importing asl-gen and building a spec without processing jobs never reads the data file.
    code = (
        "import sys; from pathlib import Path; from asl_gen.build import generate; "
        "import asl_gen.catalog_processing as c; generate(Path(sys.argv[1])); "
        "print(c.tables.cache_info().currsize)"
    )
    run = _run(["python", "-c", code, str(REPO / "examples" / "big-mart" / "spec.yaml")])
    assert (run.returncode, run.stdout.strip()) == (0, "0"), run.stderr


# --- what the generated state does ----------------------------------------------------------------------------

PREPROCESS_DONE = {
    "ProcessingJobName": "abalone-preprocess-1",
    "ProcessingJobArn": "arn:aws:sagemaker:us-east-1:111122223333:processing-job/abalone-preprocess-1",
    "ProcessingJobStatus": "Completed",
    "ProcessingOutputConfig": {
        "Outputs": [
            {"OutputName": "train", "S3Output": {"S3Uri": "s3://abalone-data/train", "S3UploadMode": "EndOfJob"}},
            {"OutputName": "test", "S3Output": {"S3Uri": "s3://abalone-data/test", "S3UploadMode": "EndOfJob"}},
        ]
    },
}
REPORT_DONE = {
    "ProcessingJobName": "abalone-report-1",
    "ProcessingJobArn": "arn:aws:sagemaker:us-east-1:111122223333:processing-job/abalone-report-1",
    "ProcessingJobStatus": "Completed",
    "ProcessingOutputConfig": {
        "Outputs": [{"OutputName": "report", "S3Output": {"S3Uri": "s3://abalone-reports/latest"}}]
    },
}
FAILURE_CAUSE = '{"ProcessingJobStatus":"Failed","FailureReason":"AlgorithmError: preprocess.py exited with 1"}'
MOCKS = {
    "StateMachines": {
        "abalone-pipeline": {
            "TestCases": {
                "HappyPath": {"preprocess": "PreprocessDone", "report": "ReportDone"},
                "PreprocessFails": {"preprocess": "PreprocessFailed", "Notify failure": "Notified"},
            }
        }
    },
    "MockedResponses": {
        "PreprocessDone": {"0": {"Duration": 900, "Return": PREPROCESS_DONE}},
        "ReportDone": {"0": {"Duration": 300, "Return": REPORT_DONE}},
        "PreprocessFailed": {"0": {"Duration": 120, "Throw": {"Error": "States.TaskFailed", "Cause": FAILURE_CAUSE}}},
        "Notified": {"0": {"Return": {"MessageId": "1"}}},
    },
}


def test_a_processing_job_runs_to_its_end_and_keeps_its_outputs() -> None:
    definition = _json(REGIONAL, "pipeline.asl.json")
    result = simulate_definition(definition, {}, mocks=MOCKS, case="HappyPath", machine_name="abalone-pipeline")
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.path == ["preprocess", "report"]
    assert result.elapsed_seconds == 1200
    request = result.calls_to("preprocess")[0].parameters
    assert request["ProcessingJobName"].startswith("abalone-preprocess-")
    assert [i["InputName"] for i in request["ProcessingInputs"]] == ["code", "raw"]
    assert result.output["preprocess"] == {
        "ProcessingJobName": "abalone-preprocess-1",
        "ProcessingJobArn": PREPROCESS_DONE["ProcessingJobArn"],
        "Outputs": {"train": "s3://abalone-data/train", "test": "s3://abalone-data/test"},
    }
    assert result.output["report"]["Outputs"] == {"report": "s3://abalone-reports/latest"}


def test_a_failed_processing_job_fails_the_run_with_its_error() -> None:
    definition = _json(REGIONAL, "pipeline.asl.json")
    result = simulate_definition(definition, {}, mocks=MOCKS, case="PreprocessFails", machine_name="abalone-pipeline")
    assert (result.status, result.error, result.cause) == ("FAILED", "States.TaskFailed", FAILURE_CAUSE)
    assert result.path == ["preprocess"]


def test_with_on_failure_a_failed_processing_job_is_notified_then_fails_the_run(tmp_path: Path) -> None:
    text = REGIONAL.read_text(encoding="utf-8").replace(
        "    steps: [preprocess, report]",
        "    steps: [preprocess, report]\n    on_failure: {notify: 'arn:aws:sns:us-east-1:111122223333:ml-alerts'}",
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    definition = json.loads(generate(spec).files["pipeline.asl.json"])
    result = simulate_definition(definition, {}, mocks=MOCKS, case="PreprocessFails", machine_name="abalone-pipeline")
    assert (result.status, result.error) == ("FAILED", "States.TaskFailed")
    assert result.path == ["preprocess", "Notify failure", "Failed"]
    message = result.calls_to("Notify failure")[0].parameters
    assert "AlgorithmError" in json.dumps(message)


def test_a_jsonata_machine_keeps_the_same_result(tmp_path: Path) -> None:
    pytest.importorskip("jsonata")
    text = REGIONAL.read_text(encoding="utf-8").replace(
        "    steps: [preprocess, report]", "    steps: [preprocess, report]\n    query_language: JSONata"
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    definition = json.loads(generate(spec).files["pipeline.asl.json"])
    result = simulate_definition(definition, {}, mocks=MOCKS, case="HappyPath", machine_name="abalone-pipeline")
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output["preprocess"]["Outputs"] == {
        "train": "s3://abalone-data/train",
        "test": "s3://abalone-data/test",
    }


# --- IAM ---------------------------------------------------------------------------------------------------------


def _grants(spec: Path, sid: str) -> list[str]:
    policy = _json(spec, "iam/sagemaker-policy.json")
    [statement] = [s for s in policy["Statement"] if s["Sid"] == sid]
    resources = statement["Resource"]
    return [resources] if isinstance(resources, str) else list(resources)


def test_the_sagemaker_role_reads_inputs_and_code_writes_outputs_and_pulls_both_images() -> None:
    assert _grants(REGIONAL, "ReadData") == [
        "arn:aws:s3:::abalone-data/code/preprocess.py*",
        "arn:aws:s3:::abalone-data/raw/abalone.csv*",
        "arn:aws:s3:::abalone-data/test*",
    ]
    assert _grants(REGIONAL, "WriteOutput") == [
        "arn:aws:s3:::abalone-data/test*",
        "arn:aws:s3:::abalone-data/train*",
        "arn:aws:s3:::abalone-reports/latest*",
    ]
    assert _grants(REGIONAL, "PullImages") == [
        "arn:aws:ecr:us-east-1:111122223333:repository/abalone-report",
        "arn:aws:ecr:us-east-1:683313688378:repository/sagemaker-scikit-learn",
    ]


def test_the_step_functions_role_runs_and_waits_for_processing_jobs() -> None:
    policy = _json(REGIONAL, "iam/stepfunctions-policy.json")
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["EventsRule"]["Resource"] == (
        "arn:aws:events:us-east-1:111122223333:rule/StepFunctionsGetEventsForSageMakerProcessingJobsRule"
    )
    assert set(by_sid["SagemakerProcessingJob"]["Action"]) == {
        "sagemaker:AddTags",
        "sagemaker:CreateProcessingJob",
        "sagemaker:DescribeProcessingJob",
        "sagemaker:ListTags",
        "sagemaker:StopProcessingJob",
    }


def test_an_open_region_fills_each_framework_registry_from_a_map_of_the_regions_it_is_offered_in() -> None:
    template = _json(PORTABLE, "cloudformation/template.json")
    registries = template["Mappings"]["AlgorithmRegistries"]
    assert registries["us-east-1"] == {
        "RegistryPytorchTraining": "763104351884",
        "RegistrySagemakerScikitLearn": "683313688378",
        "RegistrySagemakerSparkProcessing": "173754725891",
    }
    definition = _generated(PORTABLE).files["pipeline.asl.json"]
    assert "${RegistrySagemakerSparkProcessing}.dkr.ecr.${Region}.${DnsSuffix}/sagemaker-spark-processing:3.3-cpu" in (
        definition
    )


# --- the judges ------------------------------------------------------------------------------------------------

DEFINITIONS = [REGIONAL.parent / "expected" / "pipeline.asl.json", PORTABLE.parent / "expected" / "pipeline.asl.json"]


def _as_deployed(path: Path, tmp_path: Path) -> Path:
    """The definition as a deploy hands it to Step Functions: placeholders filled (sample account and region)."""
    text = path.read_text(encoding="utf-8")
    filled = tmp_path / path.name
    filled.write_text(placeholders.fill_text(text, placeholders.sample_values(json.loads(text))), encoding="utf-8")
    return filled


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda p: p.parent.parent.name)
def test_statelint_accepts_processing_definition(path: Path, tmp_path: Path) -> None:
    run = _run([_tool("statelint"), str(_as_deployed(path, tmp_path))])
    assert (run.returncode, run.output) == (0, ""), run.output


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda p: p.parent.parent.name)
def test_asl_validator_accepts_processing_definition(path: Path, tmp_path: Path) -> None:
    run = _run([_asl_validator(), "--json-path", str(_as_deployed(path, tmp_path))])
    assert run.returncode == 0, run.output


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda p: p.parent.parent.name)
def test_moto_accepts_processing_definition(path: Path, tmp_path: Path) -> None:
    _moto_validate(_as_deployed(path, tmp_path).read_text(encoding="utf-8"))


def test_the_judged_definitions_are_the_ones_asl_gen_writes() -> None:
    for path, spec in zip(DEFINITIONS, (REGIONAL, PORTABLE), strict=True):
        assert path.read_text(encoding="utf-8") == _generated(spec).files["pipeline.asl.json"]
