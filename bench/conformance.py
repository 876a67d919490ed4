"""Agreement of `asl-gen validate` with AWS on the shared ASL corpus, and how long validating all of it takes.

Usage: python bench/conformance.py [--runs N] [--corpus DIR] [--peers]

Prints the agreement with the corpus's `aws_expected` column, the known differences
(tests/conformance/known-differences.tsv) and any disagreement not listed there, then the wall time of validating
every file (JSON parse + validate_definition, in-process, after one warm-up pass that loads the schemas): median,
min and max of N passes. With --peers, the same agreement figure for the public validators that are installed:
asl-validator (`npm ci`; one node process per file with default options, so minutes on a busy machine) and
moto's ASL parser (LocalStack's grammar).
The exit code is 0 whatever the numbers; the test suite is what enforces agreement. A missing prerequisite (the
corpus, or with --peers node, asl-validator or moto) is one line on stderr and exit 1.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from asl_gen.lint import validate_definition  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "conformance" / "asl"
KNOWN_DIFFERENCES = REPO / "tests" / "conformance" / "known-differences.tsv"
ASL_VALIDATOR = REPO / "node_modules" / ".bin" / "asl-validator"


def missing(message: str) -> SystemExit:
    """A prerequisite is absent: one line on stderr and exit 1, not a traceback."""
    return SystemExit(f"bench/conformance.py: {message}")


def check_corpus(corpus: Path) -> None:
    if not (corpus / "expectations.tsv").is_file():
        raise missing(
            f"no ASL corpus at {corpus} (its expectations.tsv is missing): the shared corpus is a sibling checkout "
            "../shared of this repository; give another with --corpus DIR"
        )


def check_peers() -> None:
    """--peers measures asl-validator and moto's parser: both must be there, or the figures would mean nothing."""
    if shutil.which("node") is None:
        raise missing("--peers needs Node.js for asl-validator: install node, then run npm ci here")
    if not ASL_VALIDATOR.exists():
        raise missing(f"--peers needs asl-validator ({ASL_VALIDATOR.relative_to(REPO)} is missing): run npm ci here")
    try:
        import moto  # noqa: F401
    except ImportError:
        raise missing("--peers needs moto for its ASL parser: pip install -e '.[test]'") from None


def _tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader([line for line in handle if not line.startswith("#")], delimiter="\t"))


def _pass(corpus: Path, rows: list[dict[str, str]]) -> dict[str, str]:
    verdicts: dict[str, str] = {}
    for row in rows:
        doc = json.loads((corpus / row["file"]).read_text(encoding="utf-8"))
        verdicts[row["file"]] = "invalid" if validate_definition(doc, source=row["file"]) else "valid"
    return verdicts


def _asl_validator(corpus: Path, rows: list[dict[str, str]]) -> dict[str, str] | None:
    tool = ASL_VALIDATOR
    if not tool.exists() or shutil.which("node") is None:
        return None
    verdicts = {}
    for row in rows:
        run = subprocess.run(
            [str(tool), "--silent", "--json-path", str(corpus / row["file"])], capture_output=True, check=False
        )
        verdicts[row["file"]] = "valid" if run.returncode == 0 else "invalid"
    return verdicts


def _moto(corpus: Path, rows: list[dict[str, str]]) -> dict[str, str] | None:
    try:
        from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    except ImportError:
        return None
    verdicts = {}
    for row in rows:
        try:
            # The parser prints notes (unsupported fields) to stdout; they are not verdicts.
            with contextlib.redirect_stdout(io.StringIO()):
                AmazonStateLanguageParser.parse((corpus / row["file"]).read_text(encoding="utf-8"))
            verdicts[row["file"]] = "valid"
        except Exception:
            verdicts[row["file"]] = "invalid"
    return verdicts


def _peers(corpus: Path, rows: list[dict[str, str]]) -> None:
    for name, judge in (("asl-validator", _asl_validator), ("moto ASL parser", _moto)):
        started = time.perf_counter()
        verdicts = judge(corpus, rows)
        elapsed = time.perf_counter() - started
        if verdicts is None:
            print(f"{name}: not installed")
            continue
        agree = sum(verdicts[row["file"]] == row["aws_expected"] for row in rows)
        print(
            f"{name}: {agree}/{len(rows)} = {100 * agree / len(rows):.1f} % agree with aws_expected ({elapsed:.1f} s)"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--peers", action="store_true", help="also measure asl-validator and moto's parser")
    args = parser.parse_args(argv)
    check_corpus(args.corpus)
    if args.peers:
        check_peers()
    rows = _tsv(args.corpus / "expectations.tsv")
    known = {row["file"]: row for row in _tsv(KNOWN_DIFFERENCES)}

    verdicts = _pass(args.corpus, rows)  # warm-up: schemas compiled, integration table loaded
    times: list[float] = []
    for _ in range(args.runs):
        started = time.perf_counter()
        _pass(args.corpus, rows)
        times.append(time.perf_counter() - started)

    agree = [row for row in rows if verdicts[row["file"]] == row["aws_expected"]]
    differ = [row for row in rows if verdicts[row["file"]] != row["aws_expected"]]
    print(f"corpus: {args.corpus} ({len(rows)} files)")
    print(f"agreement with aws_expected: {len(agree)}/{len(rows)} = {100 * len(agree) / len(rows):.1f} %")
    print(f"known differences: {len(known)}")
    for row in differ:
        mark = "known" if row["file"] in known else "NOT LISTED"
        print(f"  {mark:<10} {row['file']}: aws_expected {row['aws_expected']}, asl-gen {verdicts[row['file']]}")
    stale = sorted(set(known) - {row["file"] for row in differ})
    for name in stale:
        print(f"  {'AGREES NOW':<10} {name} (remove it from {KNOWN_DIFFERENCES.name})")
    median = statistics.median(times)
    print(
        f"validate whole corpus: median {median * 1000:.0f} ms, min {min(times) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms over {args.runs} runs ({median / len(rows) * 1000:.2f} ms per file)"
    )
    if args.peers:
        _peers(args.corpus, rows)


if __name__ == "__main__":
    main()
