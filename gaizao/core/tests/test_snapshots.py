"""Snapshots of every URL name → path and of the OpenAPI document.

Restructuring (moving code between apps) must not change what users and API
clients see: these snapshots are compared exactly. When a change *means* to
add or alter a URL or an API schema, regenerate them with
``GAIZAO_UPDATE_SNAPSHOTS=1 pytest gaizao/core/tests/test_snapshots.py`` and
review the diff like any other change.
"""

import json
import os
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

SNAP = Path(__file__).parent / "snapshots"


def _walk(patterns, prefix="", ns=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            sub_ns = ns
            if p.namespace:
                sub_ns = f"{ns}{p.namespace}:"
            yield from _walk(p.url_patterns, prefix + str(p.pattern), sub_ns)
        elif isinstance(p, URLPattern):
            if p.name:
                yield f"{ns}{p.name}", prefix + str(p.pattern)


def _compare(name: str, current: str):
    path = SNAP / name
    if os.environ.get("GAIZAO_UPDATE_SNAPSHOTS"):
        path.write_text(current, encoding="utf-8")
    assert path.exists(), f"{name} missing; see the module docstring"
    expected = path.read_text(encoding="utf-8")
    assert current == expected, f"{name} changed; see the module docstring"


def test_url_names_and_paths_unchanged():
    rows = sorted(set(_walk(get_resolver().url_patterns)))
    # admin URLs follow the registered models, which move between apps with
    # their app label unchanged only in the database; they are not a contract.
    rows = [r for r in rows if not r[0].startswith("admin:")]
    _compare("urls.txt", "".join(f"{n}\t{p}\n" for n, p in rows))


def test_openapi_document_unchanged(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    doc = resp.json()
    _compare("openapi.json", json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
