"""Small text helpers used across apps."""

import re

from django.conf import settings
from django.db.models import CharField, Expression, Value
from django.db.models.functions import Concat
from django.utils.translation import get_language, npgettext, override, pgettext
from pypinyin import Style, lazy_pinyin


def listed(items) -> str:
    """Join names as the reader's language lists them: 状态、层级 in Chinese, "Status, Tier" in English."""
    return pgettext("between the items of a list", "、").join(str(item) for item in items)


def sentence(clauses) -> str:
    """Join clauses into one sentence as the reader's language writes it: 甲;乙。 in Chinese, "A; b." in English.
    No clause, no sentence: ""."""
    clauses = [str(clause) for clause in clauses if clause]
    if not clauses:
        return ""
    between = pgettext("between the clauses of a sentence", ";")
    return between.join(clauses) + pgettext("at the end of a sentence", "。")


def paragraph(sentences) -> str:
    """Join whole sentences as the reader's language runs them on: straight after 。 in Chinese, after a space in
    English ("Received. Staff will look at it soon. …"). Empty sentences are left out."""
    joiner = "" if (get_language() or "zh").startswith("zh") else " "
    return joiner.join(str(s) for s in sentences if s)


# How each measure word counts in the reader's language: "3 件" in Chinese, "1 item" and "3 items" in English. Keyed
# by the measure word as written in the code (the Chinese source of its gettext), one entry per word in use.
_COUNTS = {
    "件": lambda n: npgettext("a count of", "%(n)d 件", "%(n)d 件", n),
    "条": lambda n: npgettext("a count of", "%(n)d 条", "%(n)d 条", n),
    "项": lambda n: npgettext("a count of", "%(n)d 项", "%(n)d 项", n),
    "个": lambda n: npgettext("a count of", "%(n)d 个", "%(n)d 个", n),
    "户": lambda n: npgettext("a count of", "%(n)d 户", "%(n)d 户", n),
    "场": lambda n: npgettext("a count of", "%(n)d 场", "%(n)d 场", n),
    "支": lambda n: npgettext("a count of", "%(n)d 支", "%(n)d 支", n),
    "行": lambda n: npgettext("a count of", "%(n)d 行", "%(n)d 行", n),
    "份": lambda n: npgettext("a count of", "%(n)d 份", "%(n)d 份", n),
    "页": lambda n: npgettext("a count of", "%(n)d 页", "%(n)d 页", n),
}


def counted(n: int, unit) -> str:
    """A number with its measure word as the reader's language counts: "3 件" in Chinese, "1 item" and "3 items"
    in English. ``unit`` is the measure word as the code names it (a translated string, lazy or not); a word not
    listed above is put after the number as it is."""
    with override(settings.LANGUAGE_CODE):
        word = str(unit)
    say = _COUNTS.get(word)
    return say(n) % {"n": n} if say else f"{n} {unit}"


def mask_phone(phone: str | None) -> str:
    """Hide the middle of a phone number: 13812341234 → 138****1234."""
    if not phone:
        return ""
    digits = phone.strip()
    if len(digits) <= 7:
        return digits[:1] + "*" * max(len(digits) - 2, 0) + digits[-1:]
    return f"{digits[:3]}****{digits[-4:]}"


def mask_name(name: str | None) -> str:
    """Keep the family name only: 张三丰 → 张**."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)


def pinyin_initials(text: str) -> str:
    """Return lower-case pinyin initials for searching: 芦湖村 → lhc."""
    return "".join(part[:1] for part in lazy_pinyin(text or "", style=Style.FIRST_LETTER)).lower()


def pinyin_key(text: str) -> tuple[str, str]:
    """Return a key that sorts Chinese names as a reader expects: by pinyin (张 after 王), then by the text."""
    return " ".join(lazy_pinyin(text or "")).lower(), text or ""


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def sql_format(template: str, **fields: Expression) -> Expression:
    """Fill a %(name)s template (usually a translated string) with column expressions, in SQL.

    ``sql_format(_("提醒:%(number)s"), number=F("case__number"))`` lets one INSERT … SELECT write
    thousands of messages in the reader's language without loading a row into Python.
    """
    parts: list[Expression] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        if match.start() > position:
            parts.append(Value(template[position : match.start()]))
        parts.append(fields[match.group(1)])
        position = match.end()
    if position < len(template):
        parts.append(Value(template[position:]))
    if not parts:
        return Value("", output_field=CharField())
    if len(parts) == 1:
        return Concat(parts[0], Value(""), output_field=CharField())
    return Concat(*parts, output_field=CharField())
