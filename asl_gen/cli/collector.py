"""The cyclic garbage collector around a command: paused while it starts, on again for its own work."""

from __future__ import annotations

import gc

_paused = False


def pause_collector() -> None:
    """No cyclic garbage collection while the command starts: what start-up allocates (modules, classes, models)
    lives as long as the process, and the collector would walk it some hundred times (about 20 ms of a build)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_collector() -> None:
    """Collect again, for the command's own work, with what start-up allocated frozen out of the collector's way."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
