"""asl-gen: Amazon States Language and least-privilege IAM from a short YAML spec."""

from __future__ import annotations

__version__ = "0.1.0"
