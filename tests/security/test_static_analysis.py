"""bandit and the repository's semgrep rules: the code is clean, and each rule fires.

The planted files under tests/security/planted/ hold one example of every construct a
rule forbids (marked "# ruleid: <rule>" on the line above) and the allowed forms beside
them ("# ok: <rule>"). They end in .txt so that no linter or test run imports them; the
test copies them under the names the rules look at.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, skip_or_fail
from tests.project_apps import PROJECT_APPS

PLANTED = Path(__file__).parent / "planted"
CODE = PROJECT_APPS
# Planted file -> the name it gets in the scanned folder.
TARGETS = {"sql.py.txt": "queries.py", "views.py.txt": "views.py"}
RULE_IDS = {
    "sql-built-from-strings",
    "task-enqueued-outside-on-commit",
    "object-fetched-without-access-helper",
    "csv-written-outside-the-csv-writer",
}


def _tool(name: str) -> str:
    path = Path(sys.executable).parent / name
    found = str(path) if path.exists() else shutil.which(name)
    if not found:
        skip_or_fail(f"{name} is not installed in the virtual environment")
    return str(found)


def _semgrep(*targets: str, cwd: Path) -> dict:
    result = subprocess.run(
        [
            _tool("semgrep"),
            "--metrics=off",
            "--disable-version-check",
            "--quiet",
            "--json",
            "--config",
            str(ROOT / ".semgrep"),
            *targets,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode in {0, 1}, result.stderr
    return json.loads(result.stdout)


def _expected(text: str, kind: str) -> set[tuple[str, int]]:
    """(rule, line) pairs from the "# <kind>: <rule>" comments, for the line below each."""
    marks = set()
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.match(rf"\s*# {kind}: ([\w-]+)$", line)
        if match:
            marks.add((match.group(1), number + 1))
    return marks


@pytest.fixture(scope="module")
def planted_findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[tuple[str, int]]]:
    folder = tmp_path_factory.mktemp("planted")
    for source, name in TARGETS.items():
        shutil.copy(PLANTED / source, folder / name)
    output = _semgrep(*TARGETS.values(), cwd=folder)
    assert output["errors"] == []
    found: dict[str, set[tuple[str, int]]] = {name: set() for name in TARGETS.values()}
    for result in output["results"]:
        rule = result["check_id"].rsplit(".", 1)[-1]
        found[Path(result["path"]).name].add((rule, result["start"]["line"]))
    return found


@pytest.mark.parametrize("source", sorted(TARGETS))
def test_each_rule_fires_exactly_where_planted(
    planted_findings: dict[str, set[tuple[str, int]]], source: str
) -> None:
    text = (PLANTED / source).read_text()
    expected = _expected(text, "ruleid")
    assert expected, "a planted file without examples proves nothing"
    found = planted_findings[TARGETS[source]]
    assert found == expected
    # And the allowed forms beside them stay quiet.
    assert not {line for _rule, line in found} & {line for _rule, line in _expected(text, "ok")}


def test_every_rule_has_a_planted_example() -> None:
    planted = {
        rule
        for source in TARGETS
        for rule, _line in _expected((PLANTED / source).read_text(), "ruleid")
    }
    configured = set(
        re.findall(
            r"- id: ([\w-]+)",
            "".join(path.read_text() for path in sorted((ROOT / ".semgrep").glob("*.yml"))),
        )
    )
    assert planted == configured == RULE_IDS


def test_the_code_has_no_semgrep_findings() -> None:
    output = _semgrep(*CODE, cwd=ROOT)
    assert output["errors"] == []
    assert [f"{r['path']}:{r['start']['line']} {r['check_id']}" for r in output["results"]] == []


def test_bandit_finds_nothing() -> None:
    result = subprocess.run(
        [_tool("bandit"), "-q", "-c", "pyproject.toml", "-r", *CODE, "-f", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(result.stdout)
    assert [
        f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}"
        for r in report["results"]
    ] == []
    assert result.returncode == 0
