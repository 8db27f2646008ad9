#!/usr/bin/env python3
"""Bytes a first visit to each route transfers, by kind, with brotli where offered.

Fetches the page's HTML as a browser would (Accept-Encoding: br), then every asset the
page makes the browser load on its own: stylesheets, module scripts, preloads and the
wasm the hydration script imports. Counts bytes on the wire (compressed bodies)."""
import re
import sys
import urllib.request

base = sys.argv[1]
routes = sys.argv[2:]

def fetch(path):
    req = urllib.request.Request(base + path, headers={"Accept-Encoding": "br, gzip", "Accept-Language": "zh-CN"})
    with urllib.request.urlopen(req) as r:
        body = r.read()
        return body, r.headers.get("Content-Encoding", "identity")

def kind(url):
    for ext, k in ((".wasm", "wasm"), (".js", "js"), (".css", "css")):
        if url.split("?")[0].endswith(ext):
            return k
    return "other"

print("| route | HTML | CSS | JS | WASM | other | total (KB) |")
print("|---|---|---|---|---|---|---|")
for route in routes:
    html, enc = fetch(route)
    text = html.decode("utf-8", "replace")
    # The HTML may be compressed on the wire: decode for parsing.
    if enc == "br":
        import brotli  # noqa: only needed when the server sent brotli
        text = brotli.decompress(html).decode()
    # Same-site assets the page refers to, images (covers, lesson pictures) included.
    assets = set(re.findall(r'(?:href|src)="(/[^"]+\.(?:css|js|wasm|svg|webmanifest|png|jpe?g|webp|gif))"', text))
    m = re.search(r'\(("[^"]*"), "([^"]+)", "([^"]+)", "([^"]+)"', text)
    if m:
        pkg, js, wasm = m.group(2), m.group(3), m.group(4)
        assets |= {f"/{pkg}/{js}.js", f"/{pkg}/{wasm}.wasm"}
    sizes = {"css": 0, "js": 0, "wasm": 0, "other": 0}
    for a in sorted(assets):
        if "favicon" in a:  # fetched lazily, not part of the render
            continue
        body, _ = fetch(a)
        sizes[kind(a)] += len(body)
    total = len(html) + sum(sizes.values())
    kb = lambda n: f"{n / 1024:.1f}"
    print(f"| `{route}` | {kb(len(html))} | {kb(sizes['css'])} | {kb(sizes['js'])} | {kb(sizes['wasm'])} | {kb(sizes['other'])} | **{kb(total)}** |")

# After the first page, the service worker downloads the offline set in the background.
sw, enc = fetch("/sw.js")
if enc == "br":
    import brotli
    sw = brotli.decompress(sw)
import json as _json
precache = _json.loads(re.search(rb"const PRECACHE = (\[.*?\]);", sw).group(1))
total = len(sw) + sum(len(fetch(u)[0]) for u in precache)
print()
print(f"Service worker offline set, fetched in the background after the first visit: {len(precache)} URLs, {total / 1024:.1f} KB on the wire (once; later visits revalidate only changed files).")
