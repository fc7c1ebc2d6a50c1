"""Every environment variable the settings read is documented in docs/settings.md."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def test_every_environment_variable_is_in_the_settings_doc() -> None:
    # base.py and the topic modules it gathers (everything but the test settings).
    modules = sorted((ROOT / "mentoring" / "settings").glob("*.py"))
    source = "\n".join(path.read_text() for path in modules if path.name != "test.py")
    names = set(re.findall(r'env_(?:str|bool|int|list|choice)\(\s*"([A-Z0-9_]+)"', source))
    assert "OIDC_MFA_AMR" in names  # the pattern still finds them
    documented = (ROOT / "docs" / "settings.md").read_text()
    missing = sorted(name for name in names if f"`{name}`" not in documented)
    assert not missing, f"not in docs/settings.md: {missing}"
