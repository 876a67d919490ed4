"""A `type: call` to a SageMaker API is checked against the API's request shape (shipped as data from botocore's
service model), and every `$.` path in a call's parameters must read a field the state holds when the call runs.

Each mistake gives one located line with a hint, exit 2, and nothing written.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from asl_gen import integrations
from asl_gen.build import STEPFUNCTIONS_POLICY, generate
from asl_gen.cli import main
from asl_gen.resources import data_dir
from asl_gen.spec import shapes

BASE = Path(__file__).parent / "data" / "call-shapes.yaml"
ROOT = Path(__file__).resolve().parent.parent
SHAPES_FILE = data_dir("schemas") / shapes.SHAPES_FILE
TOOL = ROOT / "tools" / "sagemaker_shapes.py"

# (what the user got wrong, text replaced in the base spec, replacement, the exact message expected)
MISTAKES = [
    (
        "misspelt instance type (issue 15)",
        "InstanceType: ml.m5.xlarge",
        "InstanceType: ml.m5.xlage",
        "spec.yaml:25:57: jobs.prepare.parameters.ProcessingResources.ClusterConfig.InstanceType: 'ml.m5.xlage' is "
        "not a SageMaker instance type (did you mean 'ml.m5.xlarge'?)",
    ),
    (
        "S3 URI without its colon (issue 15)",
        "S3Uri: s3://shapes-data/train",
        "S3Uri: s3//shapes-data/train",
        "spec.yaml:23:31: jobs.prepare.parameters.ProcessingOutputConfig.Outputs.0.S3Output.S3Uri: "
        "'s3//shapes-data/train' is not an S3 URI (write it as s3://bucket/prefix)",
    ),
    (
        "misspelt parameter (issue 15)",
        "ModelPackageGroupName: shapes-models",
        "ModelPackageGroupNme: shapes-models",
        "spec.yaml:32:7: jobs.register.parameters.ModelPackageGroupNme: unknown parameter 'ModelPackageGroupNme' of "
        "CreateModelPackage (did you mean 'ModelPackageGroupName'?)",
    ),
    (
        "path to a result no step writes (issue 15)",
        "prepared-by.$: $.prepare.ProcessingJobArn",
        "prepared-by.$: $.tuning.ProcessingJobArn",
        "spec.yaml:41:24: jobs.register.parameters.CustomerMetadataProperties.prepared-by.$: "
        "'$.tuning.ProcessingJobArn' reads 'tuning', which nothing puts in the state before this step in state "
        "machine 'pipeline' (the state holds $.RawData (input), $.prepare (result of prepare))",
    ),
    (
        "misspelt step result",
        "prepared-by.$: $.prepare.ProcessingJobArn",
        "prepared-by.$: $.prepar.ProcessingJobArn",
        "spec.yaml:41:24: jobs.register.parameters.CustomerMetadataProperties.prepared-by.$: "
        "'$.prepar.ProcessingJobArn' reads 'prepar', which nothing puts in the state before this step in state "
        "machine 'pipeline' (did you mean '$.prepare'?)",
    ),
    (
        "field the result selector dropped",
        "prepared-by.$: $.prepare.ProcessingJobArn",
        "prepared-by.$: $.prepare.ProcessingJobName",
        "spec.yaml:41:24: jobs.register.parameters.CustomerMetadataProperties.prepared-by.$: "
        "'$.prepare.ProcessingJobName' reads 'ProcessingJobName' of the result of prepare, which keeps only "
        "'ProcessingJobArn'",
    ),
    (
        "undeclared input",
        "S3Uri.$: $.RawData",
        "S3Uri.$: $.RawDta",
        "spec.yaml:19:30: jobs.prepare.parameters.ProcessingInputs.0.S3Input.S3Uri.$: '$.RawDta' reads 'RawDta', "
        "which nothing puts in the state before this step in state machine 'pipeline' (did you mean '$.RawData'?)",
    ),
    (
        "path inside an intrinsic",
        "'shapes-prepare-{}', States.Hash($$.Execution.Id, 'MD5')",
        "'shapes-prepare-{}', $.Run",
        "spec.yaml:14:28: jobs.prepare.parameters.ProcessingJobName.$: '$.Run' reads 'Run', which nothing puts in "
        "the state before this step in state machine 'pipeline' (the state holds $.RawData (input))",
    ),
    (
        "map context outside a map",
        "S3Uri.$: $.RawData",
        "S3Uri.$: $$.Map.Item.Value",
        "spec.yaml:19:30: jobs.prepare.parameters.ProcessingInputs.0.S3Input.S3Uri.$: '$$.Map.Item.Value' reads the "
        "Map context, but the call does not run in a map (use it in a map's steps)",
    ),
    (
        "string where a number goes",
        "InstanceCount: 1,",
        "InstanceCount: '1',",
        "spec.yaml:25:40: jobs.prepare.parameters.ProcessingResources.ClusterConfig.InstanceCount: expected an "
        "integer, got '1'",
    ),
    (
        "number out of range",
        "InstanceCount: 1,",
        "InstanceCount: 0,",
        "spec.yaml:25:40: jobs.prepare.parameters.ProcessingResources.ClusterConfig.InstanceCount: 0 is below 1, the "
        "smallest InstanceCount CreateProcessingJob takes",
    ),
    (
        "misspelt enum value",
        "S3DataType: S3Prefix",
        "S3DataType: S3Prefx",
        "spec.yaml:19:90: jobs.prepare.parameters.ProcessingInputs.0.S3Input.S3DataType: 'S3Prefx' is not a value of "
        "ProcessingS3DataType (did you mean 'S3Prefix'?)",
    ),
    (
        "string where a mapping goes",
        "AppSpecification: {ImageUri: 683313688378.dkr.ecr.us-east-1.amazonaws.com/"
        "sagemaker-scikit-learn:1.2-1-cpu-py3}",
        "AppSpecification: sklearn",
        "spec.yaml:16:25: jobs.prepare.parameters.AppSpecification: expected a mapping (AppSpecification), got "
        "'sklearn'",
    ),
    (
        "missing required field inside a structure",
        "InstanceCount: 1, InstanceType: ml.m5.xlarge, VolumeSizeInGB: 30",
        "InstanceCount: 1, InstanceType: ml.m5.xlarge",
        "spec.yaml:25:24: jobs.prepare.parameters.ProcessingResources.ClusterConfig: ProcessingClusterConfig of "
        "CreateProcessingJob needs the field 'VolumeSizeInGB' (add VolumeSizeInGB: ..., or VolumeSizeInGB.$: $.path "
        "to take it from the state)",
    ),
    (
        "missing required parameter",
        "      RoleArn: arn:aws:iam::123456789012:role/shapes-sagemaker\n",
        "",
        "spec.yaml:14:7: jobs.prepare.parameters: sagemaker:createProcessingJob needs the parameter 'RoleArn' (add "
        "RoleArn: ... under parameters, or RoleArn.$: $.path to take it from the state)",
    ),
    (
        "name against the API's pattern",
        "ModelPackageGroupName: shapes-models",
        "ModelPackageGroupName: shapes_models",
        "spec.yaml:32:30: jobs.register.parameters.ModelPackageGroupName: 'shapes_models' is not a valid ArnOrName "
        "(it must match (arn:aws",
    ),
    (
        "text longer than the API takes",
        "LocalPath: /opt/ml/processing/input",
        "LocalPath: /" + "p" * 300,
        "spec.yaml:19:52: jobs.prepare.parameters.ProcessingInputs.0.S3Input.LocalPath: "
        f"'/{'p' * 36}...' "
        "is longer than 256 characters, the most ProcessingLocalPath takes",
    ),
    (
        "empty list the API needs an item in",
        "{ImageUri: 683313688378",
        "{ContainerEntrypoint: [], ImageUri: 683313688378",
        "spec.yaml:16:47: jobs.prepare.parameters.AppSpecification.ContainerEntrypoint: ContainerEntrypoint takes at "
        "least 1 item, not 0",
    ),
    (
        "tag key against the API's (Java) pattern",
        "      ModelApprovalStatus: PendingManualApproval\n",
        "      ModelApprovalStatus: PendingManualApproval\n      Tags: [{Key: 'team#1', Value: ml}]\n",
        "spec.yaml:34:20: jobs.register.parameters.Tags.0.Key: 'team#1' is not a valid TagKey (it must match",
    ),
    (
        "misspelt SageMaker API",
        "resource: aws-sdk:sagemaker:createModelPackage",
        "resource: aws-sdk:sagemaker:createModelPackge",
        "spec.yaml:30:15: jobs.register.resource: SageMaker has no API 'createModelPackge' (did you mean "
        "aws-sdk:sagemaker:createModelPackage?)",
    ),
]


def _build(text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, Path]:
    (tmp_path / "spec.yaml").write_text(text)
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "spec.yaml", "--out", str(out)])
    return result.exit_code, result.output, out


@pytest.mark.parametrize(("old", "new", "expected"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_call_mistake_gives_one_located_line(
    old: str, new: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = BASE.read_text()
    assert old in text, f"the base spec no longer contains {old!r}; update the table"
    code, output, out = _build(text.replace(old, new, 1), tmp_path, monkeypatch)
    assert code == 2, output
    lines = output.splitlines()
    assert lines[-1].endswith("found")
    assert any(line.startswith(expected) for line in lines[:-1]), output
    assert len(lines) == 2, output
    assert "Traceback" not in output
    assert not out.exists()


def test_the_base_spec_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, output, out = _build(BASE.read_text(), tmp_path, monkeypatch)
    assert code == 0, output
    assert (out / "shapes" / "pipeline.asl.json").exists()


def test_a_misspelt_group_can_no_longer_widen_iam(tmp_path: Path) -> None:
    """With ModelPackageGroupName misspelt, the IAM row saw no group and granted model-package/*; now the spec
    stops the build first, and the spelt-right call is granted its group alone."""
    right = tmp_path / "right.yaml"
    right.write_text(BASE.read_text())
    policy = json.loads(generate(right).files[STEPFUNCTIONS_POLICY])
    granted = {
        r for s in policy["Statement"] for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])
    }
    assert "arn:aws:sagemaker:us-east-1:123456789012:model-package-group/shapes-models" in granted
    assert not any(r.endswith(":model-package/*") for r in granted)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(BASE.read_text().replace("ModelPackageGroupName:", "ModelPackageGroupNme:"))
    with pytest.raises(Exception, match="unknown parameter 'ModelPackageGroupNme'"):
        generate(wrong)


def test_a_path_value_takes_any_type_but_its_name_is_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = BASE.read_text().replace("InstanceCount: 1,", "InstanceCount.$: $.RawData,")
    assert _build(text, tmp_path, monkeypatch)[0] == 0
    code, output, _ = _build(text.replace("InstanceCount.$", "InstanceCont.$"), tmp_path, monkeypatch)
    assert code == 2
    assert "unknown field 'InstanceCont' of ProcessingClusterConfig of CreateProcessingJob (did you mean " in output


MAP_AND_RAW = """
  score:
    type: map
    items: {input: Batches}
    steps: [transform]
  transform:
    type: call
    resource: sagemaker:createTransformJob
    pattern: sync
    parameters:
      TransformJobName.$: States.Format('shapes-score-{}-{}', States.Hash($$.Execution.Id, 'MD5'), $.index)
      ModelName: shapes-model
      TransformInput:
        DataSource: {S3DataSource: {S3DataType: S3Prefix, S3Uri.$: $.item}}
      TransformOutput: {S3OutputPath: s3://shapes-data/scores}
      TransformResources: {InstanceType: ml.m5.large, InstanceCount: 1}
  raw:
    type: asl
    states:
      Set Up: {Type: Pass, Result: {anything: 1}, ResultPath: $.setup}
  after-raw:
    type: call
    resource: aws-sdk:sagemaker:describeModel
    parameters: {ModelName.$: $.setup.anything}
"""


def _with_map(steps: str) -> str:
    text = BASE.read_text().replace("  RawData: string\n", "  RawData: string\n  Batches: list\n")
    text = text.replace("state_machines:\n", MAP_AND_RAW.lstrip("\n") + "state_machines:\n")
    return re.sub(r"  pipeline: \[.*\]", f"  pipeline: {steps}", text)


def test_map_items_and_paths_after_raw_asl_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, output, _ = _build(_with_map("[prepare, register, score, raw, after-raw]"), tmp_path, monkeypatch)
    assert code == 0, output


def test_a_map_body_starts_from_its_item(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = _with_map("[prepare, register, score, raw, after-raw]").replace("S3Uri.$: $.item}", "S3Uri.$: $.RawData}")
    code, output, _ = _build(text, tmp_path, monkeypatch)
    assert code == 2
    assert (
        "jobs.transform.parameters.TransformInput.DataSource.S3DataSource.S3Uri.$: '$.RawData' reads 'RawData', "
        "which nothing puts in the state before this step in the body of map 'score' (the state holds $.index "
        "(map item), $.item (map item))"
    ) in output


def test_a_path_to_a_later_step_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, output, _ = _build(
        BASE.read_text().replace("[prepare, register]", "[register, prepare]"), tmp_path, monkeypatch
    )
    assert code == 2
    assert "'$.prepare.ProcessingJobArn' reads 'prepare', which nothing puts in the state before this step" in output


# A valid request for each SageMaker API Step Functions optimizes (and the SDK calls asl-gen has rows for).
VALID: dict[str, dict[str, Any]] = {
    "createTrainingJob": {
        "TrainingJobName": "churn-train",
        "RoleArn": "arn:aws:iam::123456789012:role/sm",
        "AlgorithmSpecification": {
            "TrainingImage": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
            "TrainingInputMode": "File",
        },
        "InputDataConfig": [
            {
                "ChannelName": "train",
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://data/train"}},
            }
        ],
        "OutputDataConfig": {"S3OutputPath": "s3://data/models"},
        "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        "HyperParameters": {"num_round": "100"},
        "Tags": [{"Key": "team", "Value": "ml"}],
    },
    "createProcessingJob": {
        "ProcessingJobName.$": "$.Name",
        "RoleArn": "arn:aws:iam::123456789012:role/sm",
        "AppSpecification": {"ImageUri": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1"},
        "ProcessingResources": {
            "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30}
        },
    },
    "createHyperParameterTuningJob": {
        "HyperParameterTuningJobName": "churn-tune",
        "HyperParameterTuningJobConfig": {
            "Strategy": "Bayesian",
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 10, "MaxParallelTrainingJobs": 2},
            "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "validation:auc"},
            "ParameterRanges": {
                "ContinuousParameterRanges": [
                    {"Name": "eta", "MinValue": "0.1", "MaxValue": "0.5", "ScalingType": "Auto"}
                ]
            },
        },
        "TrainingJobDefinition": {
            "RoleArn": "arn:aws:iam::123456789012:role/sm",
            "AlgorithmSpecification": {
                "TrainingImage": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
                "TrainingInputMode": "File",
            },
            "OutputDataConfig": {"S3OutputPath": "s3://data/tuning"},
            "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        },
    },
    "createTransformJob": {
        "TransformJobName": "churn-score",
        "ModelName": "churn-model",
        "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://data/batch"}}},
        "TransformOutput": {"S3OutputPath": "s3://data/scores"},
        "TransformResources": {"InstanceCount": 1, "InstanceType": "ml.m5.large"},
    },
    "createLabelingJob": {
        "LabelingJobName": "churn-labels",
        "LabelAttributeName": "label",
        "RoleArn": "arn:aws:iam::123456789012:role/sm",
        "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": "s3://data/manifest.json"}}},
        "OutputConfig": {"S3OutputPath": "s3://data/labels"},
        "HumanTaskConfig": {
            "WorkteamArn": "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/team",
            "UiConfig": {"UiTemplateS3Uri": "s3://data/template.liquid"},
            "PreHumanTaskLambdaArn": "arn:aws:lambda:us-east-1:432418664414:function:PRE-TextMultiClass",
            "TaskTitle": "Label",
            "TaskDescription": "Pick a label",
            "NumberOfHumanWorkersPerDataObject": 1,
            "TaskTimeLimitInSeconds": 300,
            "AnnotationConsolidationConfig": {
                "AnnotationConsolidationLambdaArn": "arn:aws:lambda:us-east-1:432418664414:function:ACS-TextMultiClass"
            },
        },
    },
    "createModel": {
        "ModelName": "churn-model",
        "ExecutionRoleArn": "arn:aws:iam::123456789012:role/sm",
        "PrimaryContainer": {
            "Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
            "ModelDataUrl": "s3://data/models/model.tar.gz",
        },
    },
    "createEndpointConfig": {
        "EndpointConfigName": "churn-config",
        "ProductionVariants": [
            {
                "VariantName": "main",
                "ModelName": "churn-model",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
    },
    "createEndpoint": {"EndpointName": "churn", "EndpointConfigName": "churn-config"},
    "updateEndpoint": {"EndpointName": "churn", "EndpointConfigName": "churn-config"},
    "createModelPackage": {"ModelPackageGroupName": "churn", "ModelApprovalStatus": "PendingManualApproval"},
    "describeTrainingJob": {"TrainingJobName": "churn-train"},
}


@pytest.mark.parametrize("api", sorted(VALID))
def test_a_valid_request_passes_the_shape(api: str) -> None:
    assert list(shapes.check_request(api, VALID[api])) == []
    given = {k.removesuffix(".$") for k in VALID[api]}
    assert set(shapes.required_parameters(api)) <= given


def test_every_sagemaker_row_has_a_valid_request_here() -> None:
    rows = {r.api for r in integrations.ROWS if r.service == "sagemaker" and r.api.startswith(("create", "update"))}
    assert rows <= set(VALID), sorted(rows - set(VALID))


@pytest.mark.parametrize("api", sorted(a for a in VALID if integrations.find(f"sagemaker:{a}") is not None))
def test_a_valid_optimized_call_builds(api: str, tmp_path: Path) -> None:
    row = integrations.find(f"sagemaker:{api}")
    assert row is not None
    spec = {
        "project": "calls",
        "aws": {"region": "us-east-1", "account": "123456789012"},
        "roles": {"sagemaker": {"arn": "arn:aws:iam::123456789012:role/sm"}, "stepfunctions": {"name": "sfn"}},
        "inputs": {"Name": "string"},
        "jobs": {
            "call": {
                "type": "call",
                "resource": f"sagemaker:{api}",
                "pattern": "sync" if ".sync" in row.patterns else "request-response",
                "parameters": VALID[api],
            }
        },
        "state_machines": {"run": ["call"]},
    }
    path = tmp_path / "spec.yaml"
    path.write_text(json.dumps(spec))
    assert "run.asl.json" in generate(path).files


# --- the data file ------------------------------------------------------------------------------------------------

TYPES = {"structure", "list", "map", "string", "integer", "long", "float", "double", "boolean", "timestamp", "blob"}


def test_the_shapes_file_names_its_source_and_holds_together() -> None:
    document = json.loads(SHAPES_FILE.read_text(encoding="utf-8"))
    source = document["source"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", source["botocore"])
    assert source["file"] == "botocore/data/sagemaker/2017-07-24/service-2.json"
    assert re.fullmatch(r"[0-9a-f]{64}", source["sha256"])
    known = document["shapes"]
    for name in document["operations"].values():
        assert known[name]["type"] == "structure"
    for name, shape in known.items():
        assert shape["type"] in TYPES, name
        referenced = [*shape.get("members", {}).values(), *(shape[p] for p in ("member", "key", "value") if p in shape)]
        assert all(r in known for r in referenced), name
        assert set(shape.get("required", ())) <= set(shape.get("members", {})), name
    for row in integrations.ROWS:
        if row.service == "sagemaker":
            assert shapes.known_operation(row.api), row.key


def test_the_patterns_of_the_optimized_apis_are_read() -> None:
    """Java's Unicode classes in tag patterns are read as the nearest wider Python class; only a few patterns
    (\\p{P}, surrogate ranges) stay unchecked."""
    document = json.loads(SHAPES_FILE.read_text(encoding="utf-8"))
    known = document["shapes"]
    pending = [document["operations"][shapes.operation(api)] for api in VALID]
    seen: set[str] = set()
    unread: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        shape = known[name]
        pending.extend(
            [*shape.get("members", {}).values(), *(shape[p] for p in ("member", "key", "value") if p in shape)]
        )
        if "pattern" in shape and shapes._pattern(shape["pattern"]) is None:
            unread.add(name)
    assert {"TagKey", "TagValue", "S3Uri", "EntityName", "RoleArn"} <= seen - unread
    assert len(unread) <= 6, sorted(unread)


def test_the_shapes_file_is_what_its_botocore_gives() -> None:
    if importlib.util.find_spec("botocore") is None:
        pytest.skip("botocore is not installed (it comes with moto, a test extra)")
    import botocore  # type: ignore[import-untyped]

    pinned = json.loads(SHAPES_FILE.read_text(encoding="utf-8"))["source"]["botocore"]
    if botocore.__version__ != pinned:
        pytest.skip(f"the file comes from botocore {pinned}, this environment has {botocore.__version__}")
    result = subprocess.run(
        [sys.executable, str(TOOL), "--check", "--out", str(SHAPES_FILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_shapes_file_stays_small_and_is_read_only_for_sagemaker_calls(tmp_path: Path) -> None:
    assert SHAPES_FILE.stat().st_size < 450_000
    spec = {
        "project": "calls",
        "aws": {"region": "us-east-1", "account": "123456789012"},
        "roles": {"sagemaker": {"arn": "arn:aws:iam::123456789012:role/sm"}, "stepfunctions": {"name": "sfn"}},
        "jobs": {"call": {"type": "call", "resource": "glue:startJobRun", "parameters": {"JobName": "etl"}}},
        "state_machines": {"run": ["call"]},
    }
    probe = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "import asl_gen.resources as resources\n"
        "read = []\n"
        "original = resources.load_schema\n"
        "def spy(name):\n"
        "    read.append(name)\n"
        "    return original(name)\n"
        "resources.load_schema = spy\n"
        "import asl_gen.spec.shapes as shapes\n"
        "shapes.load_schema = spy\n"
        "import asl_gen.spec\n"
        "from asl_gen.build import generate\n"
        "assert read == [], read\n"
        "Path(sys.argv[2]).write_text(sys.argv[1])\n"
        "generate(Path(sys.argv[2]))\n"
        "print(json.dumps(read))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, json.dumps(spec), str(tmp_path / "spec.json")],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert shapes.SHAPES_FILE not in json.loads(result.stdout.splitlines()[-1])
