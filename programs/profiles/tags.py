"""Lists of short phrases people type: skills, interests, languages."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from programs.services import ProgramError

# Lists of short phrases (skills, interests, languages).
TAG_MAX_ITEMS = 30
TAG_MAX_LENGTH = 60
TAG_SEPARATORS = re.compile(r"[,\n]")
TAG_FIELDS = ("languages", "skills", "interests")


def tags_normalise(values: str | Iterable[str], *, label: str | Promise = "") -> list[str]:
    """Trimmed, de-duplicated (ignoring case, first spelling wins) list of phrases.

    Accepts the text of a comma- or line-separated input or a list. ProgramError
    when there are more than TAG_MAX_ITEMS or one is longer than TAG_MAX_LENGTH.
    """
    parts = TAG_SEPARATORS.split(values) if isinstance(values, str) else list(values)
    tags: list[str] = []
    seen: set[str] = set()
    for part in parts:
        tag = " ".join(str(part).split())
        if not tag or tag.casefold() in seen:
            continue
        if len(tag) > TAG_MAX_LENGTH:
            raise ProgramError(
                _("“%(tag)s” is too long: keep each entry under %(max)s characters.")
                % {"tag": tag[:30] + "…", "max": TAG_MAX_LENGTH}
            )
        seen.add(tag.casefold())
        tags.append(tag)
    if len(tags) > TAG_MAX_ITEMS:
        raise ProgramError(
            _("That is %(count)s %(what)s; list at most %(max)s.")
            % {"count": len(tags), "what": label or _("entries"), "max": TAG_MAX_ITEMS}
        )
    return tags
