"""Markdown written by coordinators, rendered safely for everyone else to read.

Two layers: python-markdown runs with its raw-HTML handling switched off, so
anything that looks like a tag is shown as text; then nh3 (the Rust HTML sanitiser)
keeps only an allow-list of tags and attributes, drops every event handler and every
link that is not http(s) or mailto, and marks links rel="noopener noreferrer nofollow".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from markdown.extensions import Extension
from markdown.extensions.tables import TableExtension
from markdown.treeprocessors import Treeprocessor

if TYPE_CHECKING:
    # Only to name python-markdown's tree type; this module parses no XML.
    import xml.etree.ElementTree as ET  # nosec B405

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "strong",
        "em",
        "del",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"


HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


class _HeadingShift(Treeprocessor):
    """The text's first heading level becomes h2: the page around it owns its only h1.

    Shifted by the text's own top level, not by one, so a guide written from "###"
    does not jump from the page's h1 to an h4 (which screen-reader users hear as a
    missing level); levels below keep their distance, down to h6.
    """

    def run(self, root: ET.Element) -> None:
        headings = [element for element in root.iter() if element.tag in HEADINGS]
        if not headings:
            return
        offset = 2 - min(int(element.tag[1]) for element in headings)
        for element in headings:
            element.tag = f"h{min(int(element.tag[1]) + offset, 6)}"


class _SafeMarkdown(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Without these, "<script>" or "<b onclick=...>" would pass through as raw
        # HTML; deregistered, markdown escapes them and they are shown as text.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_HeadingShift(md), "heading_shift", 5)


def _converter() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[
            "fenced_code",
            TableExtension(use_align_attribute=True),
            "sane_lists",
            _SafeMarkdown(),
        ],
        output_format="html",
    )


def markdown_html(text: str) -> str:
    """The sanitised HTML of a Markdown text, as a plain string."""
    html = _converter().convert(text or "")
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def markdown_render(text: str) -> SafeString:
    """The sanitised HTML of a Markdown text, safe to put in a template as is."""
    # Sanitised by nh3 in markdown_html: an allow-list of tags and attributes.
    return mark_safe(markdown_html(text))  # noqa: S308  # nosec B308, B703


def markdown_excerpt(text: str, *, length: int = 160) -> str:
    """The first words of a Markdown text as plain text (for lists and emails)."""
    plain = nh3.clean(markdown_html(text), tags=set())
    # nh3 keeps entities escaped; turn the few common ones back into characters.
    for entity, char in (("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"')):
        plain = plain.replace(entity, char)
    plain = plain.replace("&#39;", "'")
    return Truncator(" ".join(plain.split())).chars(length)
