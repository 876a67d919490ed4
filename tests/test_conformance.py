"""Agreement with AWS on the shared ASL corpus (fixtures from asl-validator and statelint, see SOURCES.md).

Each file's verdict (valid = no errors; warnings do not count) is compared with the `aws_expected` column of
expectations.tsv. Files where asl-gen deliberately disagrees are listed, with the reason and the evidence, in
tests/conformance/known-differences.tsv. A listed file must still disagree and an unlisted one must agree, so the
list stays true: fixing one (or the corpus changing under it) forces the list to be reviewed.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from asl_gen.validate import validate_definition

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "conformance" / "asl"
KNOWN_DIFFERENCES = Path(__file__).resolve().parent / "conformance" / "known-differences.tsv"

if not (CORPUS / "expectations.tsv").is_file():
    pytest.skip(f"the shared ASL conformance corpus is not at {CORPUS}", allow_module_level=True)


def _tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


ROWS = _tsv(CORPUS / "expectations.tsv")
KNOWN = {row["file"]: row for row in _tsv(KNOWN_DIFFERENCES)}


def _verdict(row: dict[str, str]) -> tuple[str, str]:
    doc = json.loads((CORPUS / row["file"]).read_text(encoding="utf-8"))
    problems = validate_definition(doc, source=row["file"])
    details = "\n".join(p.format() for p in problems) or "no problems"
    return ("valid" if not problems else "invalid"), details


@pytest.mark.parametrize("row", ROWS, ids=[row["file"] for row in ROWS])
def test_verdict_matches_what_aws_does_or_is_a_known_difference(row: dict[str, str]) -> None:
    verdict, details = _verdict(row)
    known = KNOWN.get(row["file"])
    if known is None:
        assert verdict == row["aws_expected"], f"{row['what_it_tests']} / {row['note']}\n{details}"
    else:
        assert verdict != row["aws_expected"], (
            f"{row['file']} now agrees with aws_expected ({verdict}); remove it from {KNOWN_DIFFERENCES.name}"
        )


def test_every_known_difference_is_a_corpus_file_with_a_reason() -> None:
    files = {row["file"] for row in ROWS}
    assert set(KNOWN) <= files, sorted(set(KNOWN) - files)
    assert all(row["reason"].strip() and row["evidence"].strip() for row in KNOWN.values())


def test_agreement_figure(capsys: pytest.CaptureFixture[str]) -> None:
    agree = sum(_verdict(row)[0] == row["aws_expected"] for row in ROWS)
    with capsys.disabled():
        print(
            f"\nASL conformance: {agree} of {len(ROWS)} files agree with aws_expected "
            f"({100 * agree / len(ROWS):.1f} %), {len(KNOWN)} known differences",
            end="",
        )
    assert agree == len(ROWS) - len(KNOWN)
