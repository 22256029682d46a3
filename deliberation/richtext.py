"""Minutes as plain text with a little formatting, rendered escaped: no HTML a user typed ever reaches the page.

Supported: a line starting with "# " is a heading, "- " or "* " a bullet, "1. " a numbered item, **text** is bold;
blank lines separate paragraphs. Everything else is text.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_NUMBERED = re.compile(r"^\d{1,3}[.、]\s*")


def _inline(text: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", escape(text))


def render_minutes(text: str) -> SafeString:
    """Return the minutes as safe HTML (every character the user typed is escaped first)."""
    blocks: list[str] = []
    paragraph: list[str] = []
    list_tag: str | None = None
    items: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            blocks.append("<p>" + "<br>".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()

    def flush_list() -> None:
        nonlocal list_tag
        if list_tag:
            blocks.append(f"<{list_tag}>" + "".join(f"<li>{i}</li>" for i in items) + f"</{list_tag}>")
            items.clear()
            list_tag = None

    for raw in (text or "").replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush_paragraph()
            flush_list()
            continue
        if line.startswith("# "):
            flush_paragraph()
            flush_list()
            blocks.append(f"<h3>{_inline(line[2:].strip())}</h3>")
        elif line.startswith(("- ", "* ")) or _NUMBERED.match(line):
            flush_paragraph()
            tag = "ul" if line.startswith(("- ", "* ")) else "ol"
            if list_tag != tag:
                flush_list()
                list_tag = tag
            items.append(_inline(line[2:].strip() if tag == "ul" else _NUMBERED.sub("", line, count=1)))
        else:
            flush_list()
            paragraph.append(line)
    flush_paragraph()
    flush_list()
    return mark_safe("\n".join(blocks))  # noqa: S308 - built only from escaped text and fixed tags
