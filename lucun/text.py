"""Small text helpers used across apps."""

from pypinyin import Style, lazy_pinyin


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
