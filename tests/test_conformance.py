"""Agreement with AWS on the shared ASL corpus (fixtures from asl-validator and statelint, see SOURCES.md).

Each file's verdict (valid = no errors; warnings do not count) is compared with the `aws_expected` column of
expectations.tsv. Files where asl-gen deliberately disagrees are listed, with the reason and the evidence, in
tests/conformance/known-differences.tsv. A listed file must still disagree and an unlisted one must agree, so the
list stays true: fixing one (or the corpus changing under it) forces the list to be reviewed.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from asl_gen.lint import validate_definition

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


_MOTO_PARSE = """
import sys
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
try:
    AmazonStateLanguageParser.parse(sys.stdin.read())
except Exception as error:
    print(error)
    sys.exit(1)
"""

# The same parse of each definition of a list, each in a child forked after the import (the import is two
# seconds; a fork, milliseconds): a JSON list of [exit code, what the child printed] per definition.
_MOTO_PARSE_EACH = """
import json, os, sys
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
answers = []
for text in json.load(sys.stdin):
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        code, said = 0, ""
        try:
            AmazonStateLanguageParser.parse(text)
        except Exception as error:
            code, said = 1, f"{error}\\n"
        os.write(writer, said.encode())
        os._exit(code)
    os.close(writer)
    with os.fdopen(reader, encoding="utf-8") as pipe:
        said = pipe.read()
    answers.append([os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), said])
print(json.dumps(answers))
"""


def _moto_verdicts(docs: list[object]) -> list[tuple[str, str]]:
    """What LocalStack's ASL parser (in moto), an implementation written to match AWS, makes of each definition.

    Each in a process of its own: after some refusals the parser keeps the query language it was in, and then
    refuses every JSONPath definition parsed after it in the same process.
    """
    pytest.importorskip("moto.stepfunctions.parser.asl.parse.asl_parser", reason="moto is not installed")
    if not hasattr(os, "fork"):
        runs = [
            subprocess.run(
                [sys.executable, "-c", _MOTO_PARSE], input=json.dumps(doc), capture_output=True, text=True, check=False
            )
            for doc in docs
        ]
        return [("valid" if run.returncode == 0 else "invalid", run.stdout + run.stderr) for run in runs]
    texts = json.dumps([json.dumps(doc) for doc in docs])
    run = subprocess.run(
        [sys.executable, "-c", _MOTO_PARSE_EACH], input=texts, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
    answers = json.loads(run.stdout)
    assert len(answers) == len(docs), run.stdout
    return [("valid" if code == 0 else "invalid", said + run.stderr) for code, said in answers]


def _without_moto_gaps(doc: dict[str, Any]) -> dict[str, Any]:
    """The JSONata Map fixture without the fields moto's grammar lacks (ItemBatcher and tolerated failures as
    JSONata, EXPRESS children), so that its verdict is about the JSONPath state under a JSONata top level only."""
    variant = copy.deepcopy(doc)
    outer = variant["States"]["Map"]
    for name in ("ItemBatcher", "ToleratedFailureCount", "ToleratedFailurePercentage"):
        outer.pop(name)
    outer["ItemProcessor"]["ProcessorConfig"]["ExecutionType"] = "STANDARD"
    return variant


# For each row whose aws_expected was corrected on evidence (these were asl-gen's known differences before the
# correction): how a variant of the file is made (None: as it is) and what moto must say.
MOTO_SAYS: dict[str, tuple[Any, ...]] = {
    "valid/aslv__valid-task-credentials.json": (None, 'at "flag", mismatched input', '"RoleArn.$"'),
    "valid/aslv__valid-map-with-item-batcher-jsonata.json": (
        _without_moto_gaps,
        "Cannot downgrade from JSONata context to a JSONPath context",
    ),
    "invalid/aslv__invalid-jsonata-surround-syntax-no-spaces.json": (None,),
    "invalid/aslv__invalid-json-surround-syntax-extra-spaces.json": (None,),
}


CORRECTED = sorted(row["file"] for row in ROWS if row["note"].startswith("aws_expected corrected"))


def test_every_corrected_row_has_moto_evidence() -> None:
    assert sorted(MOTO_SAYS) == CORRECTED


def _judged(name: str) -> object:
    """The corpus file as moto is given it: the file, or the variant MOTO_SAYS makes of it."""
    doc = json.loads((CORPUS / name).read_text(encoding="utf-8"))
    make_variant = MOTO_SAYS[name][0]
    return make_variant(doc) if make_variant else doc


@pytest.fixture(scope="module")
def moto_verdicts() -> dict[str, tuple[str, str]]:
    return dict(zip(CORRECTED, _moto_verdicts([_judged(name) for name in CORRECTED]), strict=True))


@pytest.mark.parametrize("name", CORRECTED)
def test_moto_sides_with_asl_gen_on_each_corrected_row(name: str, moto_verdicts: dict[str, tuple[str, str]]) -> None:
    """The corrected verdicts are not our judgement alone: LocalStack's parser, a public implementation built to
    behave like AWS, reaches asl-gen's verdict and the corrected aws_expected on each of them, for the same
    reason."""
    row = next(row for row in ROWS if row["file"] == name)
    doc = json.loads((CORPUS / name).read_text(encoding="utf-8"))
    _, *says = MOTO_SAYS[name]
    ours = "valid" if not validate_definition(doc, source=name) else "invalid"
    verdict, text = moto_verdicts[name]
    assert verdict == ours == row["aws_expected"], text
    assert all(part in text for part in says), text


def test_agreement_figure(capsys: pytest.CaptureFixture[str]) -> None:
    agree = sum(_verdict(row)[0] == row["aws_expected"] for row in ROWS)
    with capsys.disabled():
        print(
            f"\nASL conformance: {agree} of {len(ROWS)} files agree with aws_expected "
            f"({100 * agree / len(ROWS):.1f} %), {len(KNOWN)} known differences",
            end="",
        )
    assert agree == len(ROWS) - len(KNOWN)
