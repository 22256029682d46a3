"""Fail when the English catalogue misses a string: run makemessages into a temporary copy of locale/en and
report every msgid that has no English (or only a fuzzy guess). The committed catalogue is left untouched.

Usage: .venv/bin/python scripts/check_messages.py  (or scripts/check_messages). Exit status 1 lists the strings.
"""

import ast
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
IGNORE = [".venv", "tests", "bench", "locale", "node_modules", "var", "build", "staticfiles", "test-artifacts"]


def po_entries(text: str) -> list[dict]:
    """Parse a .po file's text into entries: msgctxt, msgid, msgid_plural, msgstr list and flags (obsolete skipped)."""
    entries = []
    for block in text.split("\n\n"):
        entry = {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": [], "flags": set()}
        field = None
        for line in block.strip().splitlines():
            if line.startswith("#~"):
                entry = None
                break
            if line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith("msgstr"):
                field = len(entry["msgstr"])
                entry["msgstr"].append(ast.literal_eval(line.split(" ", 1)[1]))
            elif line.startswith("msg"):
                name, value = line.split(" ", 1)
                field = name
                entry[name] = ast.literal_eval(value)
            elif line.startswith('"') and field is not None:
                if isinstance(field, int):
                    entry["msgstr"][field] += ast.literal_eval(line)
                else:
                    entry[field] += ast.literal_eval(line)
        if entry and entry["msgid"]:
            entries.append(entry)
    return entries


def problems(entries: list[dict]) -> list[str]:
    """Return one line for each entry that is fuzzy or has an empty translation."""
    out = []
    for e in entries:
        label = e["msgid"].replace("\n", "\\n")
        if "fuzzy" in e["flags"]:
            out.append(f"fuzzy: {label}")
        elif not e["msgstr"] or not all(e["msgstr"]):
            out.append(f"untranslated: {label}")
    return out


def extract(work: Path) -> Path:
    """Run makemessages for English with ``work`` as the only locale directory; return the .po it wrote."""
    target = work / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(CATALOGUE, target / "django.po")
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lucun.settings")
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    settings.LOCALE_PATHS = [str(work)]  # first: the files of the project go to it
    call_command("makemessages", locale=["en"], ignore_patterns=IGNORE, verbosity=0, no_obsolete=True)
    return target / "django.po"


def main() -> int:
    # Inside the project (so makemessages sends every file there, not to ./locale), hidden (so it is not walked).
    with tempfile.TemporaryDirectory(prefix=".messages-check-", dir=ROOT) as tmp:
        found = problems(po_entries(extract(Path(tmp)).read_text(encoding="utf-8")))
    if found:
        print(f"{len(found)} strings have no English in locale/en (run makemessages -l en and translate them):")
        print("\n".join(f"  {line}" for line in found))
        return 1
    print("English catalogue complete: makemessages finds no untranslated or fuzzy string.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
