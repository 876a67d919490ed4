"""The compiled-template cache: Jinja bytecode kept between runs in a folder only this user can write to.

Imports: asl_gen
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
from pathlib import Path

import jinja2

from asl_gen import __version__


class TemplateCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between runs: compiling the built-in ones was most of a build's own time.

    Jinja keys each entry by the template's source checksum, so an edited or overriding template is compiled
    anew. It is only a shortcut: an entry that cannot be read or written is passed over.
    """

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a truncated or foreign file: compile instead
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def template_cache(settings: str) -> TemplateCache | None:
    """The cache in ASL_GEN_CACHE_DIR (empty: none), else in the user's cache folder; None where it is unsafe.

    `settings` describes the environment the templates are compiled for (its class and options).
    """
    configured = os.environ.get("ASL_GEN_CACHE_DIR")
    if configured == "":
        return None
    base = Path(configured) if configured else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    # Compiled code depends on all of these; a folder per combination keeps one from loading another's.
    fingerprint = repr(((__version__, jinja2.__version__, sys.implementation.cache_tag), settings))
    folder = base / "asl-gen" / f"templates-{hashlib.sha256(fingerprint.encode()).hexdigest()[:16]}"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
    except OSError:
        return None
    # Loading a compiled template runs its code: only from a folder no one else can write to.
    if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)):
        return None
    return TemplateCache(str(folder))
