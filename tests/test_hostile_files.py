"""Hostile spec files and template folders: each gives its exact one-line message, exit 2, and writes nothing.

A spec that is a symbolic link to a regular file is allowed: where a spec is kept is the user's business and
reading through a link is harmless. What the link points to must still be a regular file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from asl_gen.cli import main
from asl_gen.resources import data_dir

from .conftest import EXAMPLE, PYTHON_RECURSION_LIMIT, REPO


def _billion_laughs() -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    return "\n".join(lines) + "\n"


# (what is hostile about the file, its bytes, the exact problem line)
HOSTILE_FILES = [
    (
        "alias bomb (9**9 values from a few hundred bytes)",
        _billion_laughs().encode(),
        "spec.yaml:1:17: more than 100000 values in one file (counting each use of an alias)",
    ),
    (
        "alias that contains itself",
        b"project: &loop [*loop]\n",
        "spec.yaml:1:10: nested deeper than 64 levels (or an alias contains itself)",
    ),
    (
        "10,000-deep nesting",
        b"project: " + b"[" * 10_000 + b"]" * 10_000 + b"\n",
        "spec.yaml: nested deeper than 64 levels (flatten the document)",
    ),
    (
        "65-deep nesting",
        b"project: " + b"[" * 65 + b"]" * 65 + b"\n",
        "spec.yaml:1:74: nested deeper than 64 levels (or an alias contains itself)",
    ),
    (
        "over 1 MiB",
        b"# " + b"x" * (1024 * 1024) + b"\n",
        "spec.yaml: file is 1048579 bytes; the limit is 1048576 (split it into smaller files)",
    ),
    (
        "duplicate keys",
        b"project: a\nproject: b\n",
        "spec.yaml:2:1: duplicate key 'project' (first at line 1) (keep one of them)",
    ),
    (
        "!!python/object/apply tag",
        b"project: !!python/object/apply:os.system [echo pwned]\n",
        "spec.yaml:1:10: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed "
        "(remove the tag; specs hold plain data only)",
    ),
    (
        "!!python/object tag",
        b"project: !!python/object:os.system big-mart\n",
        "spec.yaml:1:10: YAML tag 'tag:yaml.org,2002:python/object:os.system' is not allowed "
        "(remove the tag; specs hold plain data only)",
    ),
    (
        "!!python/name tag",
        b"project: !!python/name:os.system\n",
        "spec.yaml:1:10: YAML tag 'tag:yaml.org,2002:python/name:os.system' is not allowed "
        "(remove the tag; specs hold plain data only)",
    ),
    (
        "local tag",
        b"project: !shell rm -rf /\n",
        "spec.yaml:1:10: YAML tag '!shell' is not allowed (remove the tag; specs hold plain data only)",
    ),
    (
        "!!binary tag",
        b"project: !!binary aGVsbG8=\n",
        "spec.yaml:1:10: YAML tag 'tag:yaml.org,2002:binary' is not allowed "
        "(remove the tag; specs hold plain data only)",
    ),
    (
        "!!set tag",
        b"project: !!set {a, b}\n",
        "spec.yaml:1:10: YAML tag 'tag:yaml.org,2002:set' is not allowed (remove the tag; specs hold plain data only)",
    ),
    (
        "!!int tag on text",
        b"project: !!int twelve\n",
        "spec.yaml:1:10: 'twelve' cannot be read as int (write a plain value without a '!!' tag; quote it to keep "
        "it as text)",
    ),
    (
        "!!bool tag on text",
        b"project: !!bool maybe\n",
        "spec.yaml:1:10: 'maybe' cannot be read as bool (write a plain value without a '!!' tag; quote it to keep "
        "it as text)",
    ),
    (
        "integer beyond Python's conversion limit",
        b"count: " + b"9" * 5000 + b"\n",
        "spec.yaml:1:8: '9999999999999999999999999999999999999999...' cannot be read as int (write a plain value "
        "without a '!!' tag; quote it to keep it as text)",
    ),
    (
        "infinity (JSON has none)",
        b"weight: .inf\n",
        "spec.yaml:1:9: '.inf' is not a finite number (JSON has no infinity or NaN; write a finite number)",
    ),
    (
        "float that overflows to infinity",
        b"weight: 1.0e+999\n",
        "spec.yaml:1:9: '1.0e+999' is not a finite number (JSON has no infinity or NaN; write a finite number)",
    ),
    (
        "NaN",
        b"weight: .nan\n",
        "spec.yaml:1:9: '.nan' is not a finite number (JSON has no infinity or NaN; write a finite number)",
    ),
    (
        "lone surrogate escape",
        b'{"project": "\\ud800"}\n',
        "spec.yaml:1:13: contains a lone UTF-16 surrogate escape, which is not a character "
        "(escape the whole pair (\\ud83d\\ude00) or write the character itself)",
    ),
    (
        "merge key",
        b"base: &base {region: us-east-1}\naws:\n  <<: *base\n  account: '123456789012'\n",
        "spec.yaml:3:3: YAML merge keys ('<<') are not supported (write the keys out)",
    ),
    (
        "non-string key",
        b"[a, b]: big-mart\n",
        "spec.yaml:1:1: a key must be a plain string",
    ),
    (
        "binary",
        bytes(range(256)),
        "spec.yaml: not UTF-8 text (byte 128) (save the file as UTF-8)",
    ),
    (
        "UTF-16",
        "project: big-mart\n".encode("utf-16"),
        "spec.yaml: UTF-16 or UTF-32 text, not UTF-8 (save the file as UTF-8)",
    ),
    (
        "Latin-1",
        "project: café\n".encode("latin-1"),
        "spec.yaml: not UTF-8 text (byte 12) (save the file as UTF-8)",
    ),
    (
        "NUL byte",
        b"project: big-mart\x00\n",
        "spec.yaml:1:18: binary file (contains NUL bytes)",
    ),
    (
        "empty",
        b"",
        "spec.yaml: the file is empty (start from examples/big-mart/spec.yaml)",
    ),
    (
        "only a comment",
        b"# nothing but a comment\n",
        "spec.yaml: the file is empty (start from examples/big-mart/spec.yaml)",
    ),
    (
        "a scalar",
        b'"big-mart"\n',
        "spec.yaml:1:1: the spec must be a mapping of keys to values (start from examples/big-mart/spec.yaml)",
    ),
]


def _assert_refused(output: str, expected: list[str]) -> None:
    lines = output.splitlines()
    count = len(expected)
    assert lines == [*expected, f"{count} problem{'s' if count != 1 else ''} found"], output


@pytest.fixture
def python_recursion_limit() -> Iterator[None]:
    """The recursion limit a user's `asl-gen build` has. Once jsonata-python is imported (at collection, by
    tests/test_lint_jsonata_syntax.py) the limit is 10,000, and PyYAML then composes the 10,000-deep file (and
    Jinja expands a template that includes itself) ten times deeper before giving up: 9 s instead of 1, for the
    same message."""
    raised = sys.getrecursionlimit()
    sys.setrecursionlimit(PYTHON_RECURSION_LIMIT)
    try:
        yield
    finally:
        sys.setrecursionlimit(raised)


@pytest.mark.usefixtures("python_recursion_limit")
@pytest.mark.parametrize(("content", "expected"), [h[1:] for h in HOSTILE_FILES], ids=[h[0] for h in HOSTILE_FILES])
def test_hostile_spec_file_gives_its_one_line_message_and_writes_nothing(
    content: bytes, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("spec.yaml").write_bytes(content)
    result = CliRunner().invoke(main, ["build", "spec.yaml", "--out", "out"])
    assert result.exit_code == 2, result.output
    _assert_refused(result.output, [expected])
    assert not Path("out").exists()


def test_validate_refuses_the_same_files_with_the_same_messages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("spec.yaml").write_bytes(_billion_laughs().encode())
    result = CliRunner().invoke(main, ["validate", "spec.yaml"])
    assert result.exit_code == 1  # an unreadable file is an invalid file to validate, like any other
    _assert_refused(result.output, [HOSTILE_FILES[0][2]])


def test_a_directory_given_as_spec_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("spec.yaml").mkdir()
    result = CliRunner().invoke(main, ["build", "spec.yaml", "--out", "out"])
    assert result.exit_code == 2
    _assert_refused(result.output, ["spec.yaml: is a directory, not a file (name the YAML file inside it)"])
    assert not Path("out").exists()


def _build_in_subprocess(spec: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # A separate process with a timeout: if the loader ever blocked on a pipe or read a device without end,
    # this test fails instead of hanging the suite.
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "asl_gen", "build", spec, "--out", "out"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "spec.yaml")
    result = _build_in_subprocess("spec.yaml", tmp_path)
    assert result.returncode == 2, result.stderr
    _assert_refused(
        result.stderr,
        ["spec.yaml: is not a regular file (a pipe, device or socket) (save the spec to a file and pass that)"],
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero on this platform")
def test_an_endless_device_is_refused_unread(tmp_path: Path) -> None:
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    result = _build_in_subprocess("zero.yaml", tmp_path)
    assert result.returncode == 2, result.stderr
    _assert_refused(
        result.stderr,
        ["zero.yaml: is not a regular file (a pipe, device or socket) (save the spec to a file and pass that)"],
    )


def test_a_spec_that_is_a_link_to_a_file_is_read_through_the_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("spec.yaml").symlink_to(EXAMPLE)
    result = CliRunner().invoke(main, ["build", "spec.yaml", "--out", "out"])
    assert result.exit_code == 0, result.output
    assert Path("out/big-mart/pipeline.asl.json").is_file()


def test_a_dangling_link_as_spec_is_a_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("spec.yaml").symlink_to(tmp_path / "gone.yaml")
    result = CliRunner().invoke(main, ["build", "spec.yaml", "--out", "out"])
    assert result.exit_code == 2
    _assert_refused(result.output, ["spec.yaml: file not found (check the path)"])


def test_an_escaped_surrogate_pair_in_a_json_spec_is_the_character_it_encodes(tmp_path: Path) -> None:
    import json

    text = EXAMPLE.read_text().replace('    comment: "big-mart: train', '    comment: "\\ud83d\\ude80 big-mart: train')
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    result = CliRunner().invoke(main, ["build", str(spec), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    definition = json.loads((tmp_path / "out" / "big-mart" / "pipeline.asl.json").read_text(encoding="utf-8"))
    assert definition["Comment"].startswith("\U0001f680 big-mart: train")


# ---------------------------------------------------------------------------------------------------------
# User template folders: rendered in a sandbox, bounded in recursion, size and depth.

STATE_MACHINE = "state-machine.asl.json.j2"

# (what the template tries, text put before the built-in template (or replacing it), exact message after the
# template's path)
HOSTILE_TEMPLATES = [
    (
        "__class__ of a string",
        '{{ "".__class__.__mro__ }}',
        ":1: template failed: access to attribute '__class__' of 'str' object is unsafe.",
    ),
    (
        "__globals__ of a global function",
        "{{ lipsum.__globals__ }}",
        ":1: template failed: access to attribute '__globals__' of 'function' object is unsafe.",
    ),
    (
        "__init__.__globals__ of a global class",
        "{{ cycler.__init__.__globals__.os }}",
        ":1: template failed: access to attribute '__init__' of 'type' object is unsafe.",
    ),
    (
        "the template's own context",
        "{{ self._TemplateReference__context }}",
        ":1: template failed: access to attribute '_TemplateReference__context' of 'TemplateReference' object is "
        "unsafe.",
    ),
    (
        "attr filter to __class__",
        '{{ machine | attr("__class__") }}',
        ":1: template failed: access to attribute '__class__' of 'dict' object is unsafe.",
    ),
    (
        "format string reaching __class__",
        '{{ "{0.__class__}".format(machine) }}',
        ":1: template failed: access to attribute '__class__' of 'dict' object is unsafe.",
    ),
    (
        "mutating the context",
        "{{ machine.states.append(1) }}",
        ":1: template failed: access to attribute 'append' of 'list' object is unsafe.",
    ),
    (
        "include with ../",
        '{% include "../../../../etc/passwd" %}',
        ": includes '../../../../etc/passwd', which is not a template in the template folders",
    ),
    (
        "include of an absolute path",
        '{% include "/etc/passwd" %}',
        ": includes '/etc/passwd', which is not a template in the template folders",
    ),
    (
        "import os",
        "{% import os %}",
        ":1: template syntax error: expected token 'as', got 'end of statement block'",
    ),
    (
        'import "os" as a module',
        '{% import "os" as os %}',
        ": includes 'os', which is not a template in the template folders",
    ),
    (
        "include of itself",
        '{% include "state-machine.asl.json.j2" %}',
        ": template failed: recursion too deep (an include or a macro calls itself without end)",
    ),
    (
        "macro calling itself",
        "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
        ": template failed: recursion too deep (an include or a macro calls itself without end)",
    ),
    (
        "nested loops rendering 100 million characters",
        "{% for i in range(100000) %}{% for j in range(100) %}xxxxxxxxxx{% endfor %}{% endfor %}",
        ": template renders more than 4194304 characters (a loop or a repeated value runs away)",
    ),
    (
        "a 10 GB string by repetition",
        '{{ "x" * 10**10 }}',
        ":1: template failed: repeating a value 10000000000 times exceeds 4194304 items",
    ),
    (
        "a 10 GB string by padding",
        '{{ "x".center(10**10) }}',
        ":1: template failed: argument 10000000000 is larger than 4194304",
    ),
    (
        "a huge power",
        "{{ 2 ** 100000000 }}",
        ":1: template failed: exponent 100000000 is larger than 1024",
    ),
    (
        "a range the sandbox refuses",
        "{{ range(100001) | list }}",
        ":1: template failed: OverflowError: Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).",
    ),
    (
        "division by zero",
        "{{ 1 / 0 }}",
        ":1: template failed: ZeroDivisionError: division by zero",
    ),
]

# Templates that replace the built-in one entirely: what they render is not a usable document.
HOSTILE_OUTPUT = [
    (
        "JSON nested 5,000 deep",
        '{{ "[" * 5000 }}{{ "]" * 5000 }}',
        " (rendered): rendered JSON is nested deeper than 100 levels",
    ),
    ("Infinity", "Infinity", " (rendered): rendered text is not JSON: Infinity is not JSON"),
    (
        "NaN through tojson",
        "{{ (1e308 * 10) | tojson }}",
        ":1: template failed: Out of range float values are not JSON compliant",
    ),
]


def _build_with_template(tmp_path: Path, text: str) -> tuple[int, str, Path]:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / STATE_MACHINE).write_text(text)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(EXAMPLE), "--out", str(out), "--templates", str(folder)])
    return result.exit_code, result.output, out


@pytest.mark.usefixtures("python_recursion_limit")
@pytest.mark.parametrize(
    ("attack", "expected"), [h[1:] for h in HOSTILE_TEMPLATES], ids=[h[0] for h in HOSTILE_TEMPLATES]
)
def test_hostile_template_is_refused_with_a_located_message(attack: str, expected: str, tmp_path: Path) -> None:
    original = (data_dir("templates") / STATE_MACHINE).read_text()
    code, output, out = _build_with_template(tmp_path, attack + "\n" + original)
    assert code == 2, output
    _assert_refused(output, [f"{tmp_path / 'templates' / STATE_MACHINE}{expected}"])
    assert not out.exists()


@pytest.mark.parametrize(("text", "expected"), [h[1:] for h in HOSTILE_OUTPUT], ids=[h[0] for h in HOSTILE_OUTPUT])
def test_template_rendering_no_usable_json_is_refused(text: str, expected: str, tmp_path: Path) -> None:
    code, output, out = _build_with_template(tmp_path, text)
    assert code == 2, output
    _assert_refused(output, [f"{tmp_path / 'templates' / STATE_MACHINE}{expected}"])
    assert not out.exists()


def test_a_namespace_attribute_named_like_a_dunder_stays_inside_the_namespace(tmp_path: Path) -> None:
    # `set ns.__class__` writes a key of the namespace, not Python's attribute: harmless, and the build passes.
    original = (data_dir("templates") / STATE_MACHINE).read_text()
    code, output, _ = _build_with_template(
        tmp_path, "{% set ns = namespace(a=1) %}{% set ns.__class__ = 1 %}\n" + original
    )
    assert code == 0, output
