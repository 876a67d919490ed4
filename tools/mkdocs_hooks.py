"""MkDocs hooks of the documentation site (mkdocs.yml `hooks:`).

Mermaid's script comes from its npm package (package.json, `npm ci`), not from a CDN, so the site renders its
diagrams offline. The 3 MB file is not committed: this hook adds `node_modules/mermaid/dist/mermaid.min.js` to
the built site as `javascripts/mermaid.min.js`; `extra_javascript` loads it and `javascripts/mermaid-init.js`,
which draws each ```mermaid fence.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

REPO = Path(__file__).resolve().parent.parent
MERMAID = REPO / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
SITE_PATH = "javascripts/mermaid.min.js"


def on_files(files: Files, config: MkDocsConfig) -> Files:
    if not MERMAID.is_file():
        raise PluginError(f"{MERMAID.relative_to(REPO)} is missing: run `npm ci` first (package.json pins mermaid)")
    files.append(File.generated(config, SITE_PATH, abs_src_path=str(MERMAID)))
    return files
