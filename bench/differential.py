"""The differential corpus in figures. Usage: python bench/differential.py [--all]

Runs every machine of tests/simulate_corpus/ through moto's Step Functions interpreter (in-process) and
asl-gen's, as tests/test_simulate_differential.py does, and prints: the number of cases, how many agree, the
known differences (by which side departs from AWS) and any unexpected difference, each with both outcomes,
then the time each side took. --all also prints every agreeing case. Exit code 0 whatever the figures; the
test is what fails.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

try:
    from tests.moto_sfn import run_definitions
    from tests.test_simulate_differential import (
        CASES,
        EXECUTION_NAME,
        KNOWN,
        moto_outcome,
        our_outcome,
    )
except ImportError as exc:
    # moto, pytest and the corpus's helpers come with the test extra; without them, say so rather than a traceback.
    raise SystemExit(
        f"bench/differential.py: needs the test dependencies ({exc}): pip install -e '.[test]' in this checkout"
    ) from None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="also list the cases that agree")
    args = parser.parse_args()

    began = time.perf_counter()
    moto = run_definitions({case.id: (case.definition, case.input) for case in CASES}, execution_name=EXECUTION_NAME)
    moto_seconds = time.perf_counter() - began

    ours_seconds: list[float] = []
    agreed: list[str] = []
    known: dict[str, list[str]] = {"moto": [], "ours": [], "unclear": []}
    unexpected: list[str] = []
    now_agreeing: list[str] = []
    lines: dict[str, str] = {}
    for case in CASES:
        start = time.perf_counter()
        ours = our_outcome(case)
        ours_seconds.append(time.perf_counter() - start)
        theirs = moto_outcome(moto[case.id], case)
        lines[case.id] = f"    ours: {ours.describe()}\n    moto: {theirs.describe()}"
        if case.id in KNOWN:
            (now_agreeing if ours == theirs else known[KNOWN[case.id]["wrong"]]).append(case.id)
        elif ours == theirs:
            agreed.append(case.id)
        else:
            unexpected.append(case.id)

    total_known = sum(len(ids) for ids in known.values())
    print(f"cases: {len(CASES)}")
    print(f"agreed with moto: {len(agreed)}")
    print(
        f"known differences: {total_known} (moto departs from AWS: {len(known['moto'])}, "
        f"ours departs from AWS: {len(known['ours'])}, unclear: {len(known['unclear'])})"
    )
    print(f"unexpected differences: {len(unexpected)}")
    print(f"known differences that now agree (remove them from the list): {len(now_agreeing)}")
    print(f"moto: {moto_seconds:.1f} s for the corpus ({moto_seconds / len(CASES) * 1000:.0f} ms a case)")
    print(
        f"ours: {sum(ours_seconds) * 1000:.0f} ms for the corpus "
        f"(median {statistics.median(ours_seconds) * 1000:.2f} ms a case, max {max(ours_seconds) * 1000:.1f} ms)"
    )
    for title, ids in (
        ("unexpected differences", unexpected),
        ("known, now agreeing", now_agreeing),
        ("known: ours departs from AWS", known["ours"]),
        ("known: unclear", known["unclear"]),
        ("known: moto departs from AWS", known["moto"]),
        *((("agreed", agreed),) if args.all else ()),
    ):
        if ids:
            print(f"\n{title}:")
            for case_id in ids:
                print(f"  {case_id}\n{lines[case_id]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
