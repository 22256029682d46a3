"""Read a form as a person's browser sees it: its action, and the choices its radio and check boxes and its
drop-down lists offer.

Tests submit what the page actually renders (names and values taken from the HTML), not what the test
writer believes the form contains, so a page whose choices are missing cannot pass.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Choice:
    value: str
    label: str
    checked: bool


@dataclass
class Form:
    action: str
    method: str
    radios: dict[str, list[Choice]] = field(default_factory=dict)
    checkboxes: dict[str, list[Choice]] = field(default_factory=dict)
    hidden: dict[str, str] = field(default_factory=dict)
    selects: dict[str, list[Choice]] = field(default_factory=dict)

    def option(self, name: str, label: str) -> str:
        """Return the value of the option of ``name`` whose visible text starts with ``label`` (exactly one)."""
        found = [c.value for c in self.selects.get(name, []) if c.label.startswith(label)]
        assert len(found) == 1, f"{name}: {label!r} among {[c.label for c in self.selects.get(name, [])]}"
        return found[0]

    def choice(self, name: str, label: str) -> str:
        """Return the value of the radio ``name`` whose visible label is ``label`` (exactly one)."""
        found = [c.value for c in self.radios.get(name, []) if c.label == label]
        assert len(found) == 1, f"{name}: {label!r} among {[c.label for c in self.radios.get(name, [])]}"
        return found[0]


class _Parser(HTMLParser):
    def __init__(self, testid: str | None):
        super().__init__(convert_charrefs=True)
        self.testid = testid
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.label_stack: list[Choice | None] = []  # open <label> elements: the radio they wrap, if any
        self.text: list[str] = []
        self.select: str | None = None  # the name of the open <select>
        self.option: Choice | None = None  # the open <option>

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if self.testid is None or a.get("data-testid") == self.testid:
                self.form = Form(action=a.get("action", ""), method=(a.get("method") or "get").lower())
            return
        if self.form is None:
            return
        if tag == "label":
            self.label_stack.append(None)
            self.text = []
        elif tag == "select" and a.get("name"):
            self.select = a["name"]
            self.form.selects.setdefault(self.select, [])
        elif tag == "option" and self.select is not None:
            self.option = Choice(value=a.get("value", ""), label="", checked="selected" in a)
            self.form.selects[self.select].append(self.option)
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("radio", "checkbox") and a.get("name"):
                choice = Choice(value=a.get("value", "on"), label="", checked="checked" in a)
                group = self.form.radios if kind == "radio" else self.form.checkboxes
                group.setdefault(a["name"], []).append(choice)
                if self.label_stack:
                    self.label_stack[-1] = choice
            elif kind == "hidden" and a.get("name"):
                self.form.hidden[a["name"]] = a.get("value", "")

    def handle_data(self, data):
        if self.option is not None:
            self.option.label += data.strip()
        elif self.label_stack:
            self.text.append(data)

    def handle_endtag(self, tag):
        if self.form is None:
            return
        if tag == "option":
            self.option = None
        elif tag == "select":
            self.select = None
        elif tag == "label" and self.label_stack:
            choice = self.label_stack.pop()
            if choice is not None:
                choice.label = "".join(self.text).strip()
        elif tag == "form":
            self.forms.append(self.form)
            self.form = None


def forms_in(html: str, testid: str | None = None) -> list[Form]:
    """Return the forms of the page (only those with ``data-testid=testid`` when given)."""
    parser = _Parser(testid)
    parser.feed(html)
    parser.close()
    return parser.forms


def form_in(html: str, testid: str) -> Form:
    """Return the one form marked ``data-testid=testid``."""
    found = forms_in(html, testid)
    assert len(found) == 1, f"{len(found)} forms with data-testid={testid!r}"
    return found[0]
