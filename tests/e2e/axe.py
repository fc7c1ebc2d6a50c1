"""Accessibility scans with axe-core inside the page under test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

BLOCKING_IMPACTS = {"serious", "critical"}

# The accessibility journeys (tests/e2e/test_accessibility_*.py) hold the pages they
# visit to a stricter bar: WCAG 2.2 A and AA plus axe's best practices, target size
# included (axe leaves it off by default), and moderate findings block too.
STRICT_IMPACTS = {"moderate", "serious", "critical"}
STRICT_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "rules": {"target-size": {"enabled": True}},
    "resultTypes": ["violations"],
}
DEFAULT_OPTIONS = {"resultTypes": ["violations"]}


def axe_violations(page: Page, axe_script: Path, *, strict: bool = False) -> list[dict[str, Any]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated rather than added as a <script>: the page's CSP rightly
        # refuses inline scripts, and the scan must not weaken it.
        page.evaluate(axe_script.read_text())
    options = json.dumps(STRICT_OPTIONS if strict else DEFAULT_OPTIONS)
    result = page.evaluate(f"async () => await axe.run(document, {options})")
    impacts = STRICT_IMPACTS if strict else BLOCKING_IMPACTS
    return [v for v in result["violations"] if v.get("impact") in impacts]


def assert_accessible(page: Page, axe_script: Path, *, strict: bool = False) -> None:
    violations = axe_violations(page, axe_script, strict=strict)
    summary = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} -> "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in violations
    )
    assert not violations, f"axe-core found problems on {page.url}:\n{summary}"
