"""What a reference to data names at build time: the S3 URI of a processing step's output, and the bucket and key of
a JSON report written there. Apart from `dataflow` because the processing model itself takes `S3Location`s."""

from __future__ import annotations

from collections.abc import Mapping

from asl_gen.spec.base import S3_URI
from asl_gen.spec.dataflow import ReportLocation, S3Location
from asl_gen.spec.processing import ProcessingJob


def processing_output_uri(jobs: Mapping[str, object], step: str, output: str) -> str | None:
    """The S3 URI of `output` of processing step `step`, or None where the spec names no such output."""
    job = jobs.get(step)
    if not isinstance(job, ProcessingJob) or output not in job.outputs:
        return None
    return job.outputs[output].s3


def per_execution_output(jobs: Mapping[str, object], step: str, output: str) -> bool:
    """Whether `output` of processing step `step` is written under a folder of each execution's own."""
    job = jobs.get(step)
    return isinstance(job, ProcessingJob) and output in job.outputs and job.outputs[output].per_execution


def located_uri(jobs: Mapping[str, object], location: S3Location) -> str | None:
    """The S3 URI `location` names at build time: as written, or the processing output's; None for an input."""
    if location.uri is not None:
        return location.uri
    if location.reference is not None:
        return processing_output_uri(jobs, *location.reference)
    return None


def report_object(jobs: Mapping[str, object], report: ReportLocation) -> tuple[str, str] | None:
    """The bucket and key of the report's object, or None where the spec names no such output."""
    uri = processing_output_uri(jobs, report.from_, report.output)
    match = S3_URI.fullmatch(uri or "")
    if match is None:
        return None
    prefix = match.group(2) or ""
    key = f"{prefix.rstrip('/')}/{report.file}" if prefix.rstrip("/") else report.file
    return match.group(1), key
