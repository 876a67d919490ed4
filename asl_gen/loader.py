"""Read a YAML or JSON file into plain data, remembering where every key and value came from.

PyYAML's constructors lose positions and silently keep the last of duplicate keys, so the loader
composes the node graph itself and builds the data from it: duplicate keys and object-building tags
become located errors, and every path in the result maps to a line and column.

Imports: errors
"""

from __future__ import annotations

import codecs
import json
import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from asl_gen.errors import Problem, SpecError

Path_ = tuple[str | int, ...]

_MAX_BYTES = 1024 * 1024
_MAX_DEPTH = 64
_MAX_NODES = 100_000


@dataclass
class Located:
    """Plain data plus the `(line, column)` (1-based) of every node, keyed by its path."""

    data: Any
    file: str
    marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: Path_, *, key: bool = False) -> tuple[int, int] | None:
        """Position of `path`, or of its nearest located ancestor when the path does not exist."""
        probe = tuple(path)
        while True:
            table = self.key_marks if key and probe in self.key_marks else self.marks
            if probe in table:
                return table[probe]
            if not probe:
                return None
            probe = probe[:-1]
            key = False


def _problem(file: str, mark: yaml.Mark | None, message: str, hint: str | None = None) -> Problem:
    if mark is None:
        return Problem(message, file=file, hint=hint)
    return Problem(message, file=file, line=mark.line + 1, column=mark.column + 1, hint=hint)


class _Builder:
    def __init__(self, file: str, *, core_schema: bool = False) -> None:
        self.file = file
        self.core_schema = core_schema
        self.located = Located(data=None, file=file)
        self.problems: list[Problem] = []
        self.count = 0

    def build(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        self.count += 1
        if self.count > _MAX_NODES:
            raise SpecError(
                _problem(
                    self.file,
                    node.start_mark,
                    f"more than {_MAX_NODES} values in one file (counting each use of an alias)",
                )
            )
        if depth > _MAX_DEPTH:
            raise SpecError(
                _problem(
                    self.file, node.start_mark, f"nested deeper than {_MAX_DEPTH} levels (or an alias contains itself)"
                )
            )
        self.located.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                self._bad_tag(node)
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: Path_, depth: int) -> dict[str, Any]:
        if node.tag != "tag:yaml.org,2002:map":
            self._bad_tag(node)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.append(
                    _problem(
                        self.file,
                        key_node.start_mark,
                        "YAML merge keys ('<<') are not supported",
                        "write the keys out",
                    )
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(_problem(self.file, key_node.start_mark, "a key must be a plain string"))
                continue
            key = self._text(str(key_node.value), key_node)
            if key in result:
                first = self.located.key_marks.get((*path, key))
                where = f" (first at line {first[0]})" if first else ""
                self.problems.append(
                    _problem(self.file, key_node.start_mark, f"duplicate key {key!r}{where}", "keep one of them")
                )
                continue
            key_path = (*path, key)
            self.located.key_marks[key_path] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag.startswith("tag:yaml.org,2002:") and tag.rsplit(":", 1)[1] in _SCALAR_TAGS:
            try:
                value = (
                    _core_int(node.value)
                    if self.core_schema and tag == "tag:yaml.org,2002:int"
                    else _CONSTRUCTOR.construct_object(node, deep=True)
                )
            except (ValueError, KeyError, TypeError, yaml.YAMLError):
                # An explicit `!!int abc`, or an integer beyond Python's digit limit for conversion.
                kind = tag.rsplit(":", 1)[1]
                self.problems.append(
                    _problem(
                        self.file,
                        node.start_mark,
                        f"{_shorten(node.value)!r} cannot be read as {kind}",
                        "write a plain value without a '!!' tag; quote it to keep it as text",
                    )
                )
                return node.value
            if isinstance(value, float) and not math.isfinite(value):
                # JSON has no infinity or NaN; letting one through would write a file no JSON parser accepts.
                self.problems.append(
                    _problem(
                        self.file,
                        node.start_mark,
                        f"{_shorten(node.value)!r} is not a finite number",
                        "JSON has no infinity or NaN; write a finite number",
                    )
                )
            if isinstance(value, str):
                return self._text(value, node)
            return value
        if tag == "tag:yaml.org,2002:timestamp":
            # A date is data to asl-gen, never a datetime object: keep the text the user wrote.
            return node.value
        self._bad_tag(node)
        return node.value

    def _text(self, value: str, node: yaml.Node) -> str:
        """YAML's `\\u` escapes yield UTF-16 halves one by one: join pairs (JSON's escaped emoji), refuse strays."""
        if not any("\ud800" <= c <= "\udfff" for c in value):
            return value
        try:
            return value.encode("utf-16", "surrogatepass").decode("utf-16")
        except UnicodeDecodeError:
            self.problems.append(
                _problem(
                    self.file,
                    node.start_mark,
                    "contains a lone UTF-16 surrogate escape, which is not a character",
                    "escape the whole pair (\\ud83d\\ude00) or write the character itself",
                )
            )
            return value

    def _bad_tag(self, node: yaml.Node) -> None:
        self.problems.append(
            _problem(
                self.file,
                node.start_mark,
                f"YAML tag {node.tag!r} is not allowed",
                "remove the tag; specs hold plain data only",
            )
        )


_SCALAR_TAGS = {"str", "int", "float", "bool", "null"}
_CONSTRUCTOR = yaml.SafeLoader("")


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _line_col_of(exc: yaml.MarkedYAMLError) -> yaml.Mark | None:
    return exc.problem_mark or exc.context_mark


# JSON allows these raw inside strings; YAML reads NEL, LS and PS as line breaks (and folds them into spaces)
# and refuses DEL, the C1 controls and the two non-characters.
_JSON_ONLY_RAW = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def _as_yaml(text: str) -> str:
    """JSON text with those characters escaped and tabs made spaces, so YAML reads it as JSON means it."""
    # Valid JSON can hold those characters only inside strings, where an escape means the same character, and
    # a raw tab only as whitespace, which YAML refuses for indentation; one space keeps every column.
    return _JSON_ONLY_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text).replace("\t", " ")


class _JsonLoader(yaml.SafeLoader):
    """For JSON text: YAML 1.1 reads JSON's exponent without a point (`1e-05`, how json.dumps writes small
    floats) as a string; a JSON spec means what JSON means. YAML text keeps YAML 1.1's reading, as PyYAML
    writes it (a string `1e5` unquoted)."""


_JsonLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^[-+]?[0-9]+[eE][-+]?[0-9]+$"), list("-+0123456789")
)


class _CoreLoader(yaml.SafeLoader):
    """YAML 1.2's core schema, the one the tools that deploy ASL YAML read it with (the Serverless Framework and
    AWS's editors use js-yaml or yaml, both YAML 1.2): `yes`, `no`, `on` and `off` are strings (a state named
    `Yes:` and a `Next: Yes` stay the same text), `0o17` and `0x1f` are numbers, `012` is twelve, and there is
    no timestamp type. PyYAML alone reads YAML 1.1, where `Next: Yes` becomes `true`."""


_CoreLoader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$", "-+.0123456789"),
    ("float", r"^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+."),
):
    _CoreLoader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first))


def _core_int(text: str) -> int:
    """An integer as the core schema writes it: decimal (leading zeros included), `0o` octal, `0x` hex."""
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def load_text(text: str, file: str, *, core_schema: bool = False) -> Located:
    """Parse YAML (JSON is a subset) text into located plain data.

    YAML is read as YAML 1.1, as PyYAML writes it, unless `core_schema` asks for YAML 1.2's core schema.
    """
    is_json = _is_json(text)
    if is_json:
        text = _as_yaml(text)
    try:
        loader = _JsonLoader(text) if is_json else _CoreLoader(text) if core_schema else yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        what = exc.problem or "not valid YAML"
        raise SpecError(
            _problem(file, _line_col_of(exc), f"not valid YAML or JSON: {what}", "fix the syntax at this position")
        ) from None
    except yaml.reader.ReaderError as exc:
        # YAML allows fewer raw characters than JSON (DEL and the C1 controls among them); name the one found.
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise SpecError(
            Problem(
                f"not valid YAML or JSON: the raw character U+{exc.character:04X} is not allowed",
                file=file,
                line=line,
                column=column,
                hint=f'write it as the escape "\\u{exc.character:04x}" inside a double-quoted string',
            )
        ) from None
    except yaml.YAMLError as exc:
        raise SpecError(Problem(f"not valid YAML or JSON: {exc}", file=file)) from None
    except RecursionError:
        # PyYAML composes nested collections recursively; this depth is far beyond anything a spec needs.
        raise SpecError(
            Problem(f"nested deeper than {_MAX_DEPTH} levels", file=file, hint="flatten the document")
        ) from None
    if root is None:
        raise SpecError(Problem("the file is empty", file=file, hint="start from examples/big-mart/spec.yaml"))
    builder = _Builder(file, core_schema=core_schema and not is_json)
    data = builder.build(root, (), 0)
    if builder.problems:
        raise SpecError(builder.problems)
    builder.located.data = data
    return builder.located


def load_file(path: Path, display: str | None = None) -> Located:
    """Read and parse a spec or settings file; every failure is a `SpecError` naming the file."""
    name = display or str(path)
    return load_text(_read_text(path, name), name)


def load_document(path: Path, display: str | None = None) -> Located:
    """Read an ASL definition or IAM policy as the tools that deploy it do: a `.json` file as strict JSON (a
    comment, a trailing comma, a single quote or an unquoted key is an error at its line and column), a `.yaml`
    or `.yml` file as YAML 1.2 (core schema), anything else as JSON when it is JSON, else as YAML 1.2."""
    name = display or str(path)
    text = _read_text(path, name)
    if path.suffix.lower() == ".json":
        _strict_json(text, name)
    return load_text(text, name, core_schema=True)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _strict_json(text: str, name: str) -> None:
    try:
        json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise SpecError(
            Problem(
                f"not valid JSON: {exc.msg}",
                file=name,
                line=exc.lineno,
                column=exc.colno,
                hint="a .json file is read as strict JSON, without comments, trailing commas, single quotes or "
                "unquoted keys; name the file .yaml if it is YAML",
            )
        ) from None
    except ValueError as exc:
        raise SpecError(
            Problem(f"not valid JSON: {exc}", file=name, hint="JSON has no NaN or Infinity; write a finite number")
        ) from None
    except RecursionError:
        raise SpecError(
            Problem(f"nested deeper than {_MAX_DEPTH} levels", file=name, hint="flatten the document")
        ) from None


def _read_text(path: Path, name: str) -> str:
    """The file's text; every failure to read it as UTF-8 text is a `SpecError` naming the file."""
    if path.is_dir():
        raise SpecError(Problem("is a directory, not a file", file=name, hint="name the YAML file inside it"))
    try:
        raw = _read_regular(path, name)
    except FileNotFoundError:
        raise SpecError(Problem("file not found", file=name, hint="check the path")) from None
    except OSError as exc:
        raise SpecError(Problem(f"cannot read the file: {exc.strerror or exc}", file=name)) from None
    if _is_utf16_or_32(raw):
        # Editors on Windows save "Unicode" as UTF-16; say so rather than point at byte 0.
        raise SpecError(Problem("UTF-16 or UTF-32 text, not UTF-8", file=name, hint="save the file as UTF-8"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(
            Problem(f"not UTF-8 text (byte {exc.start})", file=name, hint="save the file as UTF-8")
        ) from None
    if "\x00" in text:
        index = text.index("\x00")
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        raise SpecError(Problem("binary file (contains NUL bytes)", file=name, line=line, column=column))
    return text


def _is_utf16_or_32(raw: bytes) -> bool:
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                raw.decode(codec)
            except UnicodeDecodeError:
                return False
            return True
    return False


def _read_regular(path: Path, name: str) -> bytes:
    """The bytes of a regular file of at most `_MAX_BYTES`; a FIFO, device or socket is refused unread.

    The file is opened without blocking and checked on the open descriptor, so a FIFO cannot stall the
    build, `/dev/zero` cannot fill memory, and the file cannot be swapped between the check and the read.
    Symbolic links to files are followed: where a spec is kept is the user's business, and reading is harmless.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise SpecError(Problem("is a directory, not a file", file=name, hint="name the YAML file inside it"))
        if not stat.S_ISREG(info.st_mode):
            raise SpecError(
                Problem(
                    "is not a regular file (a pipe, device or socket)",
                    file=name,
                    hint="save the spec to a file and pass that",
                )
            )
        if info.st_size > _MAX_BYTES:
            raise _too_big(info.st_size, name)
        chunks: list[bytes] = []
        size = 0
        # Read one byte past the limit: a file that grew after fstat is still caught.
        while size <= _MAX_BYTES:
            chunk = os.read(fd, _MAX_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > _MAX_BYTES:
            raise _too_big(size, name)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _too_big(size: int, name: str) -> SpecError:
    return SpecError(
        Problem(
            f"file is {size} bytes; the limit is {_MAX_BYTES}",
            file=name,
            hint="split it into smaller files",
        )
    )
