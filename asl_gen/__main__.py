"""`python -m asl_gen`: the same command line as the `asl-gen` console script.

Imports: cli
"""

from __future__ import annotations

from asl_gen.cli import main

main(prog_name="asl-gen")
