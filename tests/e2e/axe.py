"""Accessibility scans with axe-core inside the page under test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

BLOCKING_IMPACTS = {"serious", "critical"}
# The accessibility journeys hold the pages they visit to the stricter bar.
STRICT_IMPACTS = {"moderate", "serious", "critical"}


def axe_violations(
    page: Page, axe_script: Path, impacts: set[str] = BLOCKING_IMPACTS
) -> list[dict[str, Any]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated rather than added as a <script>: the page's CSP rightly
        # refuses inline scripts, and the scan must not weaken it.
        page.evaluate(axe_script.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in impacts]


def assert_accessible(page: Page, axe_script: Path, impacts: set[str] = BLOCKING_IMPACTS) -> None:
    violations = axe_violations(page, axe_script, impacts)
    summary = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} -> "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in violations
    )
    assert not violations, f"axe-core found problems on {page.url}:\n{summary}"
