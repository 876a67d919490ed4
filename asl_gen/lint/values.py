"""Values inside a state: JSONPath paths and `.$` payloads, and `{% … %}` JSONata expressions."""

from __future__ import annotations

from asl_gen.lint.base import CheckerBase
from asl_gen.lint.findings import Path, field_label, json_type, short
from asl_gen.lint.jsonata_syntax import jsonata_error, looks_like_jsonata
from asl_gen.lint.paths import path_error


class ValueRules(CheckerBase):
    """Paths, `.$` payloads and JSONata expressions, wherever a state holds them."""

    def _check_path_value(self, path: Path, value: object, present: bool, *, reference: bool = False) -> None:
        if not present or not isinstance(value, str):
            return
        problem = path_error(value, reference=reference)
        if problem is None:
            return
        kind = "Reference Path" if reference else "path"
        hint = None
        if value.startswith("States."):
            hint = "intrinsic functions are allowed only in Parameters, ResultSelector, ItemSelector and Assign values"
        self._add(path, f"{field_label(path)} is not a valid {kind}: {problem}", hint, leaf=True, rule="path-syntax")

    def _check_dynamic_value(self, path: Path, value: object, *, string_only: bool = False) -> None:
        """A `.$` value (or ErrorPath/CausePath): a path or an intrinsic function call."""
        if not isinstance(value, str):
            self._add(
                path,
                f"{field_label(path)} must be a string holding a path or an intrinsic function, not {json_type(value)}",
                "drop the '.$' suffix from the key to pass a constant",
                leaf=True,
                rule="dynamic-value",
            )
            return
        if value.startswith("$"):
            problem = path_error(value)
            if problem:
                self._add(path, f"{field_label(path)} is not a valid path: {problem}", leaf=True, rule="path-syntax")
            return
        if value.startswith("States."):
            # Imported here: the intrinsics' parser is only needed by a definition that calls one.
            from asl_gen.lint.intrinsics import STRING_INTRINSICS, intrinsic_error

            allowed = STRING_INTRINSICS if string_only else None
            problem = intrinsic_error(value, allowed=allowed)
            if problem:
                self._add(path, f"{field_label(path)}: {problem}", leaf=True, rule="intrinsic-function")
            return
        self._add(
            path,
            f"{field_label(path)} must be a path starting with '$' or an intrinsic function like States.Format(…), "
            f"not {short(value)}",
            "drop the '.$' suffix from the key to pass a constant string",
            leaf=True,
            rule="dynamic-value",
        )

    def _check_payload(self, path: Path, payload: object) -> None:
        if isinstance(payload, list):
            for index, item in enumerate(payload):
                self._check_payload((*path, index), item)
            return
        if not isinstance(payload, dict):
            return
        for key, value in payload.items():
            if key.endswith(".$"):
                plain = key.removesuffix(".$")
                if plain in payload:
                    self._add(
                        (*path, key),
                        f"'{plain}' and '{key}' are both set; after the '.$' is dropped they name the same field",
                        "keep only one of them",
                        rule="duplicate-dynamic-field",
                    )
                self._check_dynamic_value((*path, key), value)
            else:
                self._check_payload((*path, key), value)

    def _check_expressions(
        self, path: Path, value: object, *, result_allowed: bool = False, error_output_allowed: bool = False
    ) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key.endswith(".$"):
                    self._add(
                        (*path, key),
                        f"'{key}': keys ending in '.$' belong to JSONPath; this state uses JSONata",
                        f"name the key '{key.removesuffix('.$')}' and give it a \"{{% … %}}\" expression",
                        rule="query-language-field",
                    )
                self._check_expressions(
                    (*path, key), item, result_allowed=result_allowed, error_output_allowed=error_output_allowed
                )
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self._check_expressions(
                    (*path, index), item, result_allowed=result_allowed, error_output_allowed=error_output_allowed
                )
        elif looks_like_jsonata(value):
            problem = jsonata_error(
                str(value), result_allowed=result_allowed, error_output_allowed=error_output_allowed
            )
            if problem:
                self._add(path, f"{field_label(path)} {problem}", leaf=True, rule="jsonata-expression")
