"""A browser crawl that fails on what a person would trip over.

For one signed-in role (or an anonymous visitor), :class:`Crawler` opens every page the navigation shows, then one
page of each kind linked from those pages (a case, a household, a meeting…), and checks each as a person would meet
it on each screen (a desktop, a phone): nothing scrolls sideways or sits off-screen, every image loads, every choice
group has choices, every field has a label, every button does something, taps are big enough, the console stays
clean and nothing is fetched from another host. A page is loaded once and laid out again for the other screen, as
a browser window is resized. Each form with fields is then sent empty and must answer with a message, not a server
error. Findings are collected, not raised, so one run reports every page at once.
"""

import base64
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from django.urls import Resolver404, resolve

# One script measures the page in the browser; it returns a list of findings as plain strings.
PAGE_CHECKS = (Path(__file__).parent / "crawl_checks.js").read_text(encoding="utf-8")

# Wait until every image on the page has loaded or failed; lazy ones are asked for at once.
LOAD_IMAGES = r"""
async () => {
  const images = [...document.images];
  for (const img of images) img.loading = 'eager';
  await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener('load', done, {once: true});
    img.addEventListener('error', done, {once: true});
  })));
}
"""

# One step up from a node for event delegation: element → … → document → window → nothing.
PARENT = "function(){return this === document ? window : (this === window ? null : this.parentNode)}"

# Every form with something to fill, described so the crawler can send it empty.
FORMS = r"""
() => [...document.forms].map((form, index) => ({
  index,
  ordinal: [...document.forms].filter((f) => f.action === form.action).indexOf(form),
  method: (form.getAttribute('method') || 'get').toLowerCase(),
  action: form.action,
  fields: [...new Set([...form.elements]
    .filter((e) => e.name && !['hidden', 'submit', 'button', 'reset'].includes(e.type)).map((e) => e.name))].sort(),
  submit: !!form.querySelector('button:not([type=button]), input[type=submit]'),
}))
"""

# Where a page tells a person what went wrong with a form, or what happened: field and form errors, flashes.
MESSAGES = "[role=alert], .errorlist, .form-errors, .error, .p-errors, .p-error, .messages, [role=status]"

# Send one form (the n-th with that action) as a person who fills in nothing would, on a browser that does not check
# fields before sending: typed fields empty, choices as the page set them. The browser sends what the form would
# send (its fields, its encoding, the session's cookies) and follows the redirect, without leaving the page, so the
# next form is sent from the same page; the answer's messages are read from the page it answers with.
SEND_EMPTY = r"""
async ([action, n, messages]) => {
  const form = [...document.forms].filter((f) => f.action === action)[n];
  if (!form) return null;
  const kept = ['hidden', 'submit', 'button', 'reset', 'checkbox', 'radio', 'file'];
  const typed = new Set([...form.elements]
    .filter((el) => el.name && el.tagName !== 'SELECT' && !kept.includes(el.type)).map((el) => el.name));
  const entries = [...new FormData(form)].map(([name, value]) => [name, typed.has(name) ? '' : value]);
  let body;
  if (form.enctype === 'multipart/form-data') {
    body = new FormData();
    for (const [name, value] of entries) body.append(name, value);
  } else {
    body = new URLSearchParams(entries.map(([name, value]) => [name, typeof value === 'string' ? value : value.name]));
  }
  const response = await fetch(form.action, {method: 'POST', body, credentials: 'same-origin'});
  const type = response.headers.get('content-type') || '';
  const html = type.includes('text/html');
  let said = '';
  if (html) {
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    said = [...page.querySelectorAll(messages)].filter((el) => !el.closest('[hidden]'))
      .map((el) => el.textContent).join(' ');
  }
  return {status: response.status, type, html, said};
}
"""
CHINESE = re.compile(r"[\u4e00-\u9fff]")

# What the page itself shows, as a fingerprint: the main content's markup without the form tokens, which differ on
# every answer. The header and navigation are left out: they are the role's own, the same on each of its pages.
MAIN_CONTENT = r"""
() => {
  const main = (document.querySelector('main') || document.body).cloneNode(true);
  for (const token of main.querySelectorAll('input[name=csrfmiddlewaretoken]')) token.remove();
  const html = main.outerHTML;
  let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
  for (let i = 0; i < html.length; i++) {
    const c = html.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  return `${html.length}:${(h1 >>> 0).toString(16)}:${(h2 >>> 0).toString(16)}`;
}
"""

# What an English sentence put together from Chinese pieces shows: a Chinese comma, colon, semicolon, full stop
# or list mark touching a Latin letter, or an English comma or semicolon with no space before the next word, or a
# word run into an opening bracket ("cadre(", not "visit(s)").
ENGLISH_SLIP = re.compile(
    r"[A-Za-z%)][\uff1a\uff0c\uff1b\u3002\u3001]|[\uff1a\uff0c\uff1b\u3002\u3001][A-Za-z]"
    r"|[a-z%][,;][A-Za-z]|[a-z]\((?!s\))"
)


def english_slips(texts: list[str]) -> list[str]:
    return sorted({" ".join(text.split()) for text in texts if ENGLISH_SLIP.search(" ".join(text.split()))})


# The page's own words as a person reads them, in one pass over its text. ``chrome``: each text node with Chinese in
# it, and the words of placeholders, labels for assistive technology, titles and alternative texts, with the page
# title. ``english``: each text node with a Latin letter, code samples aside. Left out of both: user content, which is
# Chinese whatever the language (an element marked data-user-content, or lang="zh…" as the language switch names
# 简体中文), and what is not read (scripts, styles), or typed by a person (a field's value).
PAGE_TEXTS = r"""
() => {
  const skip = (el) => !el || el.closest('[data-user-content], [lang^="zh"], script, style, noscript, textarea');
  const chinese = (text) => /[\u4e00-\u9fff]/.test(text);
  const chrome = [], english = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (skip(node.parentElement)) continue;
    if (chinese(node.nodeValue)) chrome.push(node.nodeValue);
    if (/[A-Za-z]/.test(node.nodeValue) && !node.parentElement.closest('code')) english.push(node.nodeValue);
  }
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title], img[alt]')) {
    if (skip(el)) continue;
    for (const name of ['placeholder', 'aria-label', 'title', 'alt']) {
      const value = el.getAttribute(name);
      if (value && chinese(value)) chrome.push(value);
    }
  }
  // The title repeats the heading: user content when the heading is.
  const heading = document.querySelector('h1');
  if (chinese(document.title) && !(heading && skip(heading))) chrome.push(document.title);
  return { chrome, english };
}
"""


def _po_msgids(path: Path) -> list[str]:
    import ast

    ids, current = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(("msgid ", "msgid_plural ")):
            current = ast.literal_eval(line.split(" ", 1)[1])
            ids.append(current)
        elif line.startswith('"') and current is not None:
            ids[-1] += ast.literal_eval(line)
        else:
            current = None
    return [i for i in ids if CHINESE.search(i)]


class ChromeWords:
    """Tell which Chinese texts on a page are the application's own words left untranslated.

    The page chrome is what the application says itself: every string of its message catalogue. A text that reads
    as one of them (its placeholders filled with anything) is chrome that an English page shows in Chinese; user
    data (names, case texts, places) is in no catalogue, so it may stay Chinese.
    """

    def __init__(self, catalogue: Path):
        self.exact: set[str] = set()
        patterns = []
        for msgid in _po_msgids(catalogue):
            text = " ".join(msgid.split())
            pieces = re.split(r"%\(\w+\)[sd]|%\(\w+\)\.\d+f|\{\w+\}|%[sd]", text)
            if len(pieces) == 1:
                self.exact.add(text.replace("%%", "%"))
            elif sum(len(CHINESE.findall(p)) for p in pieces) >= 2:  # at least two characters of its own
                patterns.append(".+?".join(re.escape(p.replace("%%", "%")) for p in pieces))
        self.filled = [re.compile(p) for p in patterns]

    def untranslated(self, texts: list[str]) -> list[str]:
        found = []
        for raw in texts:
            text = " ".join(raw.split())
            if text in self.exact or any(p.fullmatch(text) for p in self.filled):
                found.append(text)
        return sorted(set(found))


@dataclass(frozen=True)
class Screen:
    """A size of browser window, and the smallest tap target it asks for (0: a mouse, taps are not measured)."""

    name: str
    width: int
    height: int
    min_tap: int = 0


@dataclass
class Finding:
    role: str
    viewport: str
    url: str
    problem: str

    def __str__(self) -> str:
        return f"[{self.role} @ {self.viewport}] {self.url}: {self.problem}"


@dataclass
class Crawler:
    """Open pages as one person in one browser page, collecting what they would trip over on each screen.

    ``screens`` are the sizes each page is checked at; the page opens at the size the window has (the first screen
    to begin with), and a screenshot of each is kept under ``shots/<screen name>/``."""

    page: object
    base_url: str
    role: str
    shots: Path
    screens: list[Screen]
    skip: tuple[re.Pattern, ...] = ()
    findings: list[Finding] = field(default_factory=list)
    visited: set[str] = field(default_factory=set)
    kinds_seen: set[str] = field(default_factory=set)
    # Forms already sent empty, by kind: the route they are sent to and the fields they ask for. A list of channels
    # shows one "stop" form per channel, all alike; one of each is sent.
    forms_sent: set[tuple] = field(default_factory=set)
    # Set for a crawl in English: each page is also read for the application's words left in Chinese.
    chrome: "ChromeWords | None" = None
    # False for a crawl that only reads the pages (in English): no layout checks, no forms sent, a screenshot each.
    checks: bool = True
    # Screens on which a page's layout is checked once for what it shows: a page whose main content another role
    # was shown already, at the same address, is not laid out there again (``laid_out`` is shared by the roles'
    # crawlers). The other screens (the phone) check every page of every role.
    once_per_content: tuple[str, ...] = ()
    laid_out: set[tuple] = field(default_factory=set)

    def __post_init__(self):
        self.screen = self.screens[0]  # the browser window's size now
        self.console: list[str] = []
        self.cdp = None
        self.foreign: list[str] = []
        host = urlsplit(self.base_url).netloc
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.console.append(f"page error: {exc}"))
        self.page.on(
            "request",
            lambda request: (
                self.foreign.append(request.url)
                if request.url.startswith(("http:", "https:")) and urlsplit(request.url).netloc != host
                else None
            ),
        )

    def _on_console(self, message) -> None:
        text = message.text
        if message.type == "error" or (message.type == "warning" and re.search(r"invalid|conform", text, re.I)):
            where = (message.location or {}).get("url", "")
            self.console.append(f"console {message.type}: {text[:200]} {where}".rstrip())

    def note(self, url: str, problem: str) -> None:
        self.findings.append(Finding(self.role, self.screen.name, url, problem))

    def show_on(self, screen: Screen) -> None:
        if screen.name != self.screen.name:
            self.page.set_viewport_size({"width": screen.width, "height": screen.height})
        self.screen = screen

    def path(self, url: str) -> str:
        return urlsplit(urljoin(self.base_url, url)).path

    def kind(self, url: str) -> str:
        """Name the kind of page a link leads to: its route, so one case stands for all cases."""
        path = self.path(url)
        try:
            match = resolve(path)
        except Resolver404:
            return path
        return match.route or match.view_name

    def followable(self, url: str) -> bool:
        parts = urlsplit(urljoin(self.base_url, url))
        if parts.netloc != urlsplit(self.base_url).netloc or parts.scheme not in ("http", "https"):
            return False
        return not any(pattern.search(parts.path) for pattern in self.skip)

    def visit(
        self, url: str, *, screens: list[Screen] | None = None, expect_ok: bool = True, always: bool = False
    ) -> list[str]:
        """Open one page, check it on each screen (all the crawler's unless named), keep a screenshot of each;
        return the same-site links it shows. A page visited already is not opened again, nor a page's content laid out
        again where it is laid out once (``once_per_content``), unless ``always``."""
        screens = screens or self.screens
        try:
            return self._visit(url, screens=screens, expect_ok=expect_ok, always=always)
        except Exception as exc:  # report it with the page, and go on with the others
            self.note(self.path(url), f"could not be checked: {exc}")
            return []

    def _visit(self, url: str, *, screens: list[Screen], expect_ok: bool, always: bool) -> list[str]:
        if self.screen.name not in {screen.name for screen in screens}:
            self.show_on(screens[0])
        absolute = urljoin(self.base_url, url)
        key = self.path(absolute) + ("?" + urlsplit(absolute).query if urlsplit(absolute).query else "")
        if key in self.visited and not always:
            return []
        self.visited.add(key)
        self.console.clear()
        self.foreign.clear()
        try:
            response = self.page.goto(absolute, wait_until="load")
        except Exception as exc:  # a download (an export, a PDF) is not a page: check that it answers
            if "Download is starting" not in str(exc):
                self.note(key, f"could not open: {exc}")
                return []
            answer = self.page.request.get(absolute)
            if answer.status != 200:
                self.note(key, f"download answers {answer.status}")
            return []
        status = response.status if response else 0
        if expect_ok and status != 200:
            self.note(key, f"answers {status}")
        if "text/html" not in ((response.headers.get("content-type") or "") if response else ""):
            return []
        self.page.evaluate(LOAD_IMAGES)
        # What happened while the page loaded is said once, with the screen it loaded on.
        for line in self.console:
            self.note(key, line)
        for address in sorted(set(self.foreign)):
            self.note(key, f"request to another host: {address}")
        slug = re.sub(r"[^\w.-]+", "_", key.strip("/")) or "home"
        if self.once_per_content and not always:
            content = (key, self.page.evaluate(MAIN_CONTENT))
            shown = [screen for screen in screens if (screen.name, *content) not in self.laid_out]
            self.laid_out.update((screen.name, *content) for screen in screens if screen.name in self.once_per_content)
            screens = shown
        # The screen the page opened on first, then the others: one resize per page at most.
        for screen in sorted(screens, key=lambda screen: screen.name != self.screen.name):
            self.show_on(screen)
            if self.checks:
                for problem in self.page.evaluate(PAGE_CHECKS, {"minTap": screen.min_tap}):
                    self.note(key, problem)
                for problem in self.idle_buttons():
                    self.note(key, problem)
            self.keep_screenshot(self.shots / screen.name / f"{slug[:120]}.png")
        if self.chrome is not None:
            texts = self.page.evaluate(PAGE_TEXTS)
            for text in self.chrome.untranslated(texts["chrome"]):
                self.note(key, f"untranslated: {text[:80]}")
            for text in english_slips(texts["english"]):
                self.note(key, f"untranslated punctuation: {text[:80]}")
        links = self.page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
        if self.checks:
            self.send_forms_empty(absolute)
        return [link for link in links if self.followable(link)]

    def devtools(self):
        if self.cdp is None:
            self.cdp = self.page.context.new_cdp_session(self.page)
        return self.cdp

    def keep_screenshot(self, path: Path) -> None:
        """Keep the whole page as one picture, as wide as it lays itself out. Chromium is asked directly, to encode
        for speed (a crawl keeps hundreds); a very long page (a printable ledger of thousands of households) is
        kept as its first 12,000 px."""
        width, height = self.page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
        )
        clip = {"x": 0, "y": 0, "width": width, "height": min(height, 12_000), "scale": 1}
        shot = self.devtools().send(
            "Page.captureScreenshot",
            {"format": "png", "optimizeForSpeed": True, "captureBeyondViewport": True, "clip": clip},
        )
        path.write_bytes(base64.b64decode(shot["data"]))

    def idle_buttons(self) -> list[str]:
        """Name each visible button that submits nothing and has no click handler on it or above it."""
        found = self.devtools().send(
            "Runtime.evaluate",
            {
                "expression": "[...document.querySelectorAll('button[type=button], [role=button]:not(button)')]"
                ".filter(b => b.getClientRects().length)",
            },
        )
        array_id = found["result"].get("objectId")
        if not array_id:
            return []
        problems = []
        items = self.cdp.send("Runtime.getProperties", {"objectId": array_id, "ownProperties": True})["result"]
        for item in items:
            if not item["name"].isdigit():
                continue
            node_id = item["value"]["objectId"]
            label = self.cdp.send(
                "Runtime.callFunctionOn",
                {
                    "objectId": node_id,
                    "functionDeclaration": "function(){return this.outerHTML.slice(0, 120)}",
                    "returnByValue": True,
                },
            )["result"]["value"]
            current = node_id
            handled = False
            while current and not handled:
                listeners = self.cdp.send("DOMDebugger.getEventListeners", {"objectId": current})["listeners"]
                handled = any(listener["type"] in ("click", "pointerdown", "pointerup") for listener in listeners)
                parent = self.cdp.send("Runtime.callFunctionOn", {"objectId": current, "functionDeclaration": PARENT})[
                    "result"
                ]
                current = parent.get("objectId") if parent.get("subtype") != "null" else None
            if not handled:
                problems.append(f"button does nothing when tapped: {label}")
        self.cdp.send("Runtime.releaseObject", {"objectId": array_id})
        return problems

    def send_forms_empty(self, url: str) -> None:
        """Send each form that has fields with nothing filled in: a message, never a server error."""
        for form in self.page.evaluate(FORMS):
            if not form["fields"] or not form["submit"] or not self.followable(form["action"] or url):
                continue
            if form["method"] == "get":
                continue  # a search or filter sent empty is the page itself, checked already
            kind = (self.kind(form["action"] or url), tuple(form["fields"]))
            if kind in self.forms_sent:
                continue
            self.forms_sent.add(kind)
            try:
                self.send_form_empty(url, form)
            except Exception as exc:  # report it with the page, and go on with the others
                self.note(f"{self.path(url)} (form {form['index']})", f"empty form could not be sent: {exc}")

    def send_form_empty(self, url: str, form: dict) -> None:
        answer = self.page.evaluate(SEND_EMPTY, [form["action"], form["ordinal"], MESSAGES])
        if answer is None:
            return
        status, html, said = answer["status"], answer["html"], answer["said"]
        where = f"{self.path(url)} (form → {self.path(form['action'] or url)})"
        if status >= 500:
            self.note(where, f"empty form answers {status}")
        elif not html:
            self.note(where, f"empty form answers {status} with {answer['type'] or 'nothing'}, not a page")
        elif not CHINESE.search(said):
            self.note(where, f"empty form answers {status} without a message in Chinese")

    def crawl(self, start: str, nav_selector: str, *, deeper: list[Screen] = ()) -> None:
        """Open the start page and every page its navigation links to, then one page of each kind linked from them
        on the ``deeper`` screens (none: not at all)."""
        # The page stays open: its navigation is read from it. It is the role's own (its panels, its menu), so it is
        # opened and checked whole even when the crawlers share what they visited.
        links: list[str] = self.visit(start, always=True)
        nav_links = self.page.eval_on_selector_all(
            f"{nav_selector} a[href]", "links => links.map(a => a.getAttribute('href'))"
        )
        nav_links = [link for link in dict.fromkeys(nav_links) if self.followable(link)]
        self.kinds_seen.update(self.kind(link) for link in nav_links)
        for link in nav_links:
            links.extend(self.visit(link))
        if not deeper:
            return
        for link in dict.fromkeys(links):
            kind = self.kind(link)
            if kind in self.kinds_seen:
                continue
            self.kinds_seen.add(kind)
            self.visit(link, screens=list(deeper))
