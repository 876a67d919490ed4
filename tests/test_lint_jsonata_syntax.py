"""The validator's JSONata parser against jsonata-python's, the simulator's evaluator (issue 14, item 2).

asl_gen/lint/jsonata_syntax.py keeps a parser of its own (its docstring says why). These tests keep the choice
honest: on every "{% … %}" expression of the tests, the examples and the shared conformance corpus, both parsers
give the same verdict (accept or refuse), and the few expressions where they part are listed with the reason.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from asl_gen.lint.jsonata_syntax import syntax_error

jsonata = pytest.importorskip("jsonata", reason="jsonata-python (the simulate extra) is not installed")

ROOT = Path(__file__).resolve().parents[1]
CORPUS_FOLDERS = (ROOT / "tests", ROOT / "examples", ROOT.parent / "shared" / "conformance" / "asl")


def _bodies(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _bodies(item)
    elif isinstance(value, list):
        for item in value:
            yield from _bodies(item)
    elif isinstance(value, str) and value.startswith("{%") and value.endswith("%}") and value[2:-2].strip():
        yield value[2:-2]


def _corpus() -> list[str]:
    found: set[str] = set()
    for folder in CORPUS_FOLDERS:
        for path in sorted(folder.rglob("*.json")) if folder.is_dir() else []:
            try:
                found.update(_bodies(json.loads(path.read_text(encoding="utf-8"))))
            except (ValueError, UnicodeDecodeError):
                continue  # the hostile-file fixtures are not JSON on purpose
    for path in sorted((ROOT / "tests").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        strings = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)]
        found.update(_bodies(strings))
    return sorted(found)


def _jsonata_python_refuses(expression: str) -> bool:
    try:
        jsonata.Jsonata(expression)
    except Exception:  # JException for a syntax error; other exceptions are its own bugs (see below)
        return True
    return False


CORPUS = _corpus()


def test_the_corpus_is_large_enough_to_mean_something() -> None:
    assert len(CORPUS) >= 100
    assert any(syntax_error(e) for e in CORPUS), "the corpus should hold refused expressions too"


@pytest.mark.parametrize("expression", CORPUS)
def test_both_parsers_accept_or_refuse_the_same_corpus_expression(expression: str) -> None:
    ours = syntax_error(expression)
    assert (ours is not None) == _jsonata_python_refuses(expression), ours


# Where the two parsers part, and why. Each must still part: if a release of jsonata-python changes its verdict,
# the entry goes (and the docstring of jsonata_syntax.py is reviewed).
DIFFERENCES = {
    # JSONata derives the parent of `%` while it processes the tree and refuses one it cannot find (S0217);
    # jsonata-python does the same. This parser checks the grammar only and lets such a `%` through: a missed
    # error, not a false one (no conformance file says whether AWS refuses it at creation or at run time).
    "%.a": ("accepts", "refuses"),
}

# Both refuse these, jsonata-python for the wrong reason: it is why the validator's messages are its own.
WRONGLY_WORDED = {
    "/* open": IndexError,  # an unclosed comment crashes its tokenizer instead of raising a JSONata error
}


@pytest.mark.parametrize("expression", sorted(DIFFERENCES))
def test_the_listed_differences_still_differ(expression: str) -> None:
    ours, theirs = DIFFERENCES[expression]
    assert (syntax_error(expression) is None) == (ours == "accepts")
    assert _jsonata_python_refuses(expression) == (theirs == "refuses")


@pytest.mark.parametrize("expression", sorted(WRONGLY_WORDED))
def test_jsonata_python_fails_on_what_the_validator_words_clearly(expression: str) -> None:
    assert syntax_error(expression) is not None
    with pytest.raises(WRONGLY_WORDED[expression]):
        jsonata.Jsonata(expression)
