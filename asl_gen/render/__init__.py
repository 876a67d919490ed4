"""Rendering: the one Jinja2 environment (sandboxed, with the compiled-template cache), templates rendered and
parsed as JSON at once, and the canonical bytes of every generated file.

Imports: asl_gen, errors, resources
"""

from __future__ import annotations

from asl_gen.render.dump import dump, dump_file
from asl_gen.render.renderer import Renderer

__all__ = ["Renderer", "dump", "dump_file"]
