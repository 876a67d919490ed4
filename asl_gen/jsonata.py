"""Placeholder replaced below."""

from __future__ import annotations

from typing import Any


def translate_state(context: dict[str, Any]) -> None:
    raise NotImplementedError
