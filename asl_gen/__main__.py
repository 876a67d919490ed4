from __future__ import annotations

from asl_gen.cli import main

main(prog_name="asl-gen")
