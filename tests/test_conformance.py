"""Agreement with AWS on the shared ASL corpus (fixtures from asl-validator and statelint, see SOURCES.md).

Each file's verdict (valid = no problems) is compared with the `aws_expected` column of expectations.tsv.
Files where asl-gen deliberately disagrees are listed, with the reason, in DELIBERATE_DISAGREEMENTS; they run as
strict xfails, so fixing one (or the corpus changing under it) forces the list to be reviewed.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from asl_gen.validate import validate_definition

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "conformance" / "asl"

if not (CORPUS / "expectations.tsv").is_file():
    pytest.skip(f"the shared ASL conformance corpus is not at {CORPUS}", allow_module_level=True)

DELIBERATE_DISAGREEMENTS: dict[str, str] = {
    "valid/aslv__valid-task-credentials.json": (
        "Credentials is an object with RoleArn or RoleArn.$ in the Step Functions docs; the fixture follows the "
        "older states-language.net text, where it is any payload template ({flag, parts, baz})."
    ),
    "valid/aslv__valid-map-with-item-batcher-jsonata.json": (
        "a JSONPath state inside a machine whose top-level QueryLanguage is JSONata; the Step Functions docs and CDK "
        "reject any JSONPath state under a JSONata top level, and the Distributed Map processor is no exception."
    ),
    "invalid/aslv__invalid-jsonata-surround-syntax-no-spaces.json": (
        '"{%10%}": AWS documents only that an expression starts with {% and ends with %}; asl-validator\'s extra '
        "demand for spaces inside the delimiters is its own regex, not a Step Functions rule."
    ),
    "invalid/aslv__invalid-json-surround-syntax-extra-spaces.json": (
        '"{% \\n10 %}": a newline inside the delimiters is rejected by asl-validator only because its regex `.` does '
        "not match a newline; the JSONata grammar treats it as whitespace."
    ),
}


def _rows() -> list[dict[str, str]]:
    with (CORPUS / "expectations.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


ROWS = _rows()


def _verdict(row: dict[str, str]) -> str:
    doc = json.loads((CORPUS / row["file"]).read_text(encoding="utf-8"))
    return "valid" if not validate_definition(doc, source=row["file"]) else "invalid"


def _params() -> list[object]:
    params: list[object] = []
    for row in ROWS:
        reason = DELIBERATE_DISAGREEMENTS.get(row["file"])
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        params.append(pytest.param(row, id=row["file"], marks=marks))
    return params


@pytest.mark.parametrize("row", _params())
def test_verdict_matches_what_aws_does(row: dict[str, str]) -> None:
    doc = json.loads((CORPUS / row["file"]).read_text(encoding="utf-8"))
    problems = validate_definition(doc, source=row["file"])
    verdict = "valid" if not problems else "invalid"
    details = "\n".join(p.format() for p in problems) or "no problems"
    assert verdict == row["aws_expected"], f"{row['what_it_tests']} / {row['note']}\n{details}"


def test_every_listed_disagreement_is_a_corpus_file() -> None:
    assert set(DELIBERATE_DISAGREEMENTS) <= {row["file"] for row in ROWS}


def test_agreement_figure(capsys: pytest.CaptureFixture[str]) -> None:
    agree = sum(_verdict(row) == row["aws_expected"] for row in ROWS)
    with capsys.disabled():
        print(f"\nASL conformance: {agree} of {len(ROWS)} files agree with aws_expected", end="")
    assert agree == len(ROWS) - len(DELIBERATE_DISAGREEMENTS)
