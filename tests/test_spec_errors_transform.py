"""Every mistake in a transform step or in the extras of an endpoint config gives one located line, exit 2, nothing
written: rows of edits to the golden cases `transform` and `endpoint-extras`, each with its exact message."""

from __future__ import annotations

from pathlib import Path

import pytest

from .spec_mistakes import refused

CASES = Path(__file__).parent / "cases"
TRANSFORM = "transform"
EXTRAS = "endpoint-extras"

# (what the user got wrong, the case edited, text replaced, replacement, the exact line expected)
MISTAKES = [
    (
        "model that is no job",
        TRANSFORM,
        "    model: model\n    input:\n      s3: s3://",
        "    model: modle\n    input:\n      s3: s3://",
        "spec.yaml:32:12: jobs.score-test.model: no job named 'modle' (did you mean 'model'?)",
    ),
    (
        "model of another type",
        TRANSFORM,
        "    model: model\n    input:\n      s3: s3://",
        "    model: train\n    input:\n      s3: s3://",
        "spec.yaml:32:12: jobs.score-test.model: job 'train' is of type training, not model (name a job of type model)",
    ),
    (
        "model and model_name",
        TRANSFORM,
        "    model: model\n    input:\n      s3: s3://",
        "    model: model\n    model_name: other-model\n    input:\n      s3: s3://",
        "spec.yaml:29:5: jobs.score-test: give exactly one of 'model' (a model step) or 'model_name' (a model made "
        "elsewhere), not both",
    ),
    (
        "neither model nor model_name",
        TRANSFORM,
        "    model: model\n    input:\n      s3: s3://",
        "    input:\n      s3: s3://",
        "spec.yaml:29:5: jobs.score-test: give exactly one of 'model' (a model step) or 'model_name' (a model made "
        "elsewhere)",
    ),
    (
        "model_name as a prefix",
        TRANSFORM,
        "    model_name: {input: ModelName}",
        "    model_name: {prefix: elsewhere}",
        "spec.yaml:69:17: jobs.score-elsewhere.model_name: a model made elsewhere is named by a literal or {input: "
        "ModelName}; a prefix names new resources",
    ),
    (
        "model after the transform",
        TRANSFORM,
        "steps: [train, model, score-test, batches]",
        "steps: [train, score-test, model, batches]",
        "spec.yaml:32:12: jobs.score-test.model: transform 'score-test' uses model 'model', which does not run before "
        "it in state machine 'pipeline' (run 'model' earlier in the state machine, before the map for a transform "
        "inside one, or name a model made elsewhere with model_name: {input: ModelName})",
    ),
    (
        "model not before the map",
        TRANSFORM,
        "steps: [train, model, score-test, batches]",
        "steps: [train, batches]",
        "spec.yaml:61:12: jobs.score-batch.model: transform 'score-batch' uses model 'model', which does not run "
        "before it in state machine 'pipeline' (run 'model' earlier in the state machine, before the map for a "
        "transform inside one, or name a model made elsewhere with model_name: {input: ModelName})",
    ),
    (
        "item outside a map",
        TRANSFORM,
        "      s3: s3://transform-data/abalone/test",
        "      s3: {item: true}",
        "spec.yaml:34:18: jobs.score-test.input.s3.item: {item: ...} reads the current item of a map, and transform "
        "'score-test' does not run inside one in state machine 'pipeline' (give an s3:// URI or {input: InputName}, "
        "or list the transform under a map's steps)",
    ),
    (
        "item false",
        TRANSFORM,
        "input: {s3: {item: true}",
        "input: {s3: {item: false}",
        "spec.yaml:62:24: jobs.score-batch.input.s3.item: write {item: true} for the current item, or {item: field} "
        "for a field of it",
    ),
    (
        "location of another shape",
        TRANSFORM,
        "input: {s3: {item: true}",
        "input: {s3: {uri: s3://transform-data/x}",
        "spec.yaml:62:17: jobs.score-batch.input.s3: give the location as an s3:// URI, {input: InputName}, {from: "
        "<processing step>, output: <output name>} or, inside a map, {item: true}",
    ),
    (
        "location not a URI",
        TRANSFORM,
        "      s3: s3://transform-data/abalone/test",
        "      s3: transform-data/abalone/test",
        # At the location the user wrote, not at `input.s3.s3` (the model's own field; found by the properties).
        "spec.yaml:34:11: jobs.score-test.input.s3: 'transform-data/abalone/test' is not an S3 URI (write it as "
        "s3://bucket/prefix)",
    ),
    (
        "location with a wildcard",
        TRANSFORM,
        "      s3: s3://transform-data/abalone/test",
        "      s3: s3://transform-data/abalone/te?t",
        "spec.yaml:34:11: jobs.score-test.input.s3: the S3 key in 's3://transform-data/abalone/te?t' contains '?', "
        "which IAM would read as a wildcard, variable or control character (write the prefix out without them)",
    ),
    (
        "literal name in a map",
        TRANSFORM,
        "    name: {prefix: transform-batch}",
        "    name: transform-batch",
        "spec.yaml:60:11: jobs.score-batch.name: transform 'score-batch' runs once for each item of map 'batches', "
        "and SageMaker needs a new job name for each (name it {prefix: ...}: asl-gen appends a hash of the execution "
        "and the item's index)",
    ),
    (
        "input name in a map",
        TRANSFORM,
        "    name: {prefix: transform-batch}",
        "    name: {input: ModelName}",
        "spec.yaml:60:11: jobs.score-batch.name: transform 'score-batch' runs once for each item of map 'batches', "
        "and SageMaker needs a new job name for each (name it {prefix: ...}: asl-gen appends a hash of the execution "
        "and the item's index)",
    ),
    (
        "undeclared input location",
        TRANSFORM,
        "{s3: {input: InputUri}",
        "{s3: {input: InputUrl}",
        "spec.yaml:70:25: jobs.score-elsewhere.input.s3.input: input 'InputUrl' is not declared (add it under inputs: "
        "{InputUrl: string})",
    ),
    (
        "model_name from a list input",
        TRANSFORM,
        "    model_name: {input: ModelName}",
        "    model_name: {input: Batches}",
        "spec.yaml:69:25: jobs.score-elsewhere.model_name.input: input 'Batches' is declared list, not string "
        "(declare it as string)",
    ),
    (
        "distributed map and a per-execution model name",
        TRANSFORM,
        "    max_concurrency: 4\n",
        "    max_concurrency: 4\n    mode: distributed\n",
        "spec.yaml:62:12: jobs.score-batch.model: transform 'score-batch' runs in the child executions of distributed "
        "map 'batches', which see neither the execution input nor the execution's id, so they cannot name model "
        "'model' (give model 'model' a literal name, or use mode: inline)",
    ),
    (
        "distributed map reading the execution input",
        TRANSFORM,
        "    max_concurrency: 4\n    steps: [score-batch]",
        "    max_concurrency: 4\n    mode: distributed\n    steps: [score-elsewhere]",
        "spec.yaml:70:25: jobs.score-elsewhere.model_name.input: transform 'score-elsewhere' runs in the child "
        "executions of distributed map 'batches', which see only their item, not input 'ModelName' (pass it in the "
        "items, or use mode: inline)",
    ),
    (
        "output not an S3 URI",
        TRANSFORM,
        "{s3: s3://transform-data/batch-scores",
        "{s3: s3//transform-data/batch-scores",
        "spec.yaml:63:18: jobs.score-batch.output.s3: 's3//transform-data/batch-scores' is not an S3 URI (write it as "
        "s3://bucket/prefix)",
    ),
    (
        "misspelt instance type",
        TRANSFORM,
        "instance: {type: ml.c5.xlarge}",
        "instance: {type: ml.c5.xlage}",
        "spec.yaml:72:22: jobs.score-elsewhere.instance.type: 'ml.c5.xlage' is not a SageMaker instance type (did you "
        "mean 'ml.c5.xlarge'?)",
    ),
    (
        "unknown split type",
        TRANSFORM,
        "      split_type: Line\n      compression: Gzip",
        "      split_type: Lines\n      compression: Gzip",
        "spec.yaml:37:19: jobs.score-test.input.split_type: 'Lines' is not allowed; expected 'None', 'Line', "
        "'RecordIO' or 'TFRecord' (did you mean 'Line'?)",
    ),
    (
        "payload above 100 MB",
        TRANSFORM,
        "    max_payload_mb: 6",
        "    max_payload_mb: 101",
        "spec.yaml:40:21: jobs.score-test.max_payload_mb: 101 is out of range: input should be less than or equal to "
        "100",
    ),
    (
        "too many environment variables",
        TRANSFORM,
        '    environment: {SAGEMAKER_MODEL_SERVER_TIMEOUT: "3600"}',
        "    environment: {V0: x, V1: x, V2: x, V3: x, V4: x, V5: x, V6: x, V7: x, V8: x, V9: x, V10: x, V11: x, V12: "
        "x, V13: x, V14: x, V15: x, V16: x}",
        "spec.yaml:48:18: jobs.score-test.environment: a transform job takes at most 16 environment variables",
    ),
    (
        "filter not a JSONPath",
        TRANSFORM,
        'input_filter: "$[1:]"',
        'input_filter: "[1:]"',
        "spec.yaml:49:37: jobs.score-test.data_processing.input_filter: '[1:]' is not a JSONPath SageMaker filters "
        "records with: it starts with $ and has at most 63 characters, e.g. $[1:]",
    ),
    (
        "misspelt field",
        TRANSFORM,
        "    batch_strategy: MultiRecord",
        "    batch_stratgy: MultiRecord",
        "spec.yaml:39:5: jobs.score-test.batch_stratgy: unknown field 'batch_stratgy' (did you mean 'batch_strategy'?)",
    ),
    (
        "unsupported pattern",
        TRANSFORM,
        "    pattern: request-response",
        "    pattern: callback",
        "spec.yaml:68:14: jobs.score-elsewhere.pattern: 'callback' is not allowed; expected 'sync' or "
        "'request-response'",
    ),
    (
        "serverless memory size",
        EXTRAS,
        "memory_mb: 2048",
        "memory_mb: 1500",
        "spec.yaml:20:33: jobs.serverless.variants.0.serverless.memory_mb: 1500 MB is not a serverless memory size; "
        "SageMaker offers 1024, 2048, 3072, 4096, 5120, 6144",
    ),
    (
        "serverless concurrency above 200",
        EXTRAS,
        "max_concurrency: 5,",
        "max_concurrency: 201,",
        "spec.yaml:20:56: jobs.serverless.variants.0.serverless.max_concurrency: 201 is out of range: input should be "
        "less than or equal to 200",
    ),
    (
        "provisioned above max",
        EXTRAS,
        "provisioned_concurrency: 2}",
        "provisioned_concurrency: 6}",
        "spec.yaml:20:21: jobs.serverless.variants.0.serverless: provisioned_concurrency 6 is above max_concurrency "
        "5; SageMaker keeps at most max_concurrency workers",
    ),
    (
        "instance and serverless",
        EXTRAS,
        "        serverless: {memory_mb",
        "        instance: {type: ml.m5.large}\n        serverless: {memory_mb",
        "spec.yaml:19:9: jobs.serverless.variants.0: give exactly one of 'instance' (instances serve the variant) or "
        "'serverless' (serverless inference), not both",
    ),
    (
        "neither instance nor serverless",
        EXTRAS,
        "        instance: {type: ml.m5.large, count: 2}\n",
        "",
        "spec.yaml:25:9: jobs.captured.variants.0: give exactly one of 'instance' (instances serve the variant) or "
        "'serverless' (serverless inference)",
    ),
    (
        "serverless with data capture",
        EXTRAS,
        "        serverless: {memory_mb: 2048, max_concurrency: 5, provisioned_concurrency: 2}\n",
        "        serverless: {memory_mb: 2048, max_concurrency: 5, provisioned_concurrency: 2}\n    data_capture: "
        "{s3: s3://extras-data/capture}\n",
        "spec.yaml:21:19: jobs.serverless.data_capture: SageMaker Serverless Inference does not capture data; serve "
        "on instances to capture",
    ),
    (
        "serverless with async inference",
        EXTRAS,
        "        serverless: {memory_mb: 2048, max_concurrency: 5, provisioned_concurrency: 2}\n",
        "        serverless: {memory_mb: 2048, max_concurrency: 5, provisioned_concurrency: 2}\n    async_inference: "
        "{output: s3://extras-data/async/out}\n",
        "spec.yaml:21:22: jobs.serverless.async_inference: asynchronous inference runs on instances, not serverless; "
        "give the variant an instance",
    ),
    (
        "serverless with two variants",
        EXTRAS,
        "        serverless: {memory_mb: 2048, max_concurrency: 5, provisioned_concurrency: 2}\n",
        "        serverless: {memory_mb: 2048, max_concurrency: 5, provisioned_concurrency: 2}\n      - model: "
        "model\n        name: other\n        serverless: {memory_mb: 1024, max_concurrency: 1}\n",
        "spec.yaml:19:7: jobs.serverless.variants: a serverless endpoint serves one variant; SageMaker refuses several",
    ),
    (
        "sampling above 100",
        EXTRAS,
        "      sampling_percentage: 20",
        "      sampling_percentage: 120",
        "spec.yaml:29:28: jobs.captured.data_capture.sampling_percentage: 120 is out of range: input should be less "
        "than or equal to 100",
    ),
    (
        "capture mode twice",
        EXTRAS,
        "      capture: [Input, Output]",
        "      capture: [Input, Input]",
        "spec.yaml:30:16: jobs.captured.data_capture.capture: list Input and Output once each",
    ),
    (
        "unknown capture mode",
        EXTRAS,
        "      capture: [Input, Output]",
        "      capture: [InputAndOutput]",
        "spec.yaml:30:17: jobs.captured.data_capture.capture.0: 'InputAndOutput' is not allowed; expected 'Input' or "
        "'Output' (did you mean 'Output'?)",
    ),
    (
        "capture to no S3 URI",
        EXTRAS,
        "      s3: s3://extras-data/capture",
        "      s3: extras-data/capture",
        "spec.yaml:28:11: jobs.captured.data_capture.s3: 'extras-data/capture' is not an S3 URI (write it as "
        "s3://bucket/prefix)",
    ),
    (
        "topic not an SNS ARN",
        EXTRAS,
        "        error: arn:aws:sns:eu-west-1:210987654321:inference-failed",
        "        error: inference-failed",
        "spec.yaml:45:16: jobs.queued.async_inference.notify.error: 'inference-failed' is not an SNS topic ARN "
        "(arn:aws:sns:us-east-1:123456789012:topic-name)",
    ),
    (
        "no async output",
        EXTRAS,
        "      output: s3://extras-data/async/out\n",
        "",
        "spec.yaml:41:7: jobs.queued.async_inference.output: required field 'output' is missing (add output: ...)",
    ),
    (
        "no invocations per instance",
        EXTRAS,
        "max_concurrent_invocations_per_instance: 4",
        "max_concurrent_invocations_per_instance: 0",
        "spec.yaml:46:48: jobs.queued.async_inference.max_concurrent_invocations_per_instance: 0 is out of range: "
        "input should be greater than or equal to 1",
    ),
]


@pytest.mark.parametrize(("case", "old", "new", "expected"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_transform_or_endpoint_extra_mistake_gives_one_located_line(
    case: str, old: str, new: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = refused(CASES / case / "spec.yaml", [(old, new)], tmp_path, monkeypatch)
    assert expected in lines, "\n".join(lines)
