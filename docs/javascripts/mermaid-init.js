// Renders the ```mermaid fences of the site (mkdocs.yml: a superfences fence writing <div class="mermaid-diagram">)
// with the Mermaid script the site ships (tools/mkdocs_hooks.py copies it from node_modules): no CDN. Material's
// own Mermaid support would draw into a closed shadow root; this draws the SVG into the page itself.
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
mermaid.run({ querySelector: ".mermaid-diagram" });
