"""What nginx adds in front of the application: HTTPS only, static files, request limits, the client's address."""

import http.client
import re
import ssl
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.browser import DESKTOP
from tests.stack.conftest import OFFICIAL_AGENT, STACK_HTTP_URL, STACK_URL, stack_manage

HASHED = re.compile(r"\.[0-9a-f]{12}(\.[A-Za-z0-9]+)$")  # css/lucun.0123456789ab.css
UNVERIFIED = ssl.create_default_context()
UNVERIFIED.check_hostname, UNVERIFIED.verify_mode = False, ssl.CERT_NONE


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, headers: dict | None = None, method: str = "GET", body: bytes | None = None):
    """One request as a plain HTTP client; return (status, headers, body) without following redirects."""
    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=UNVERIFIED))
    request = urllib.request.Request(url, headers=headers or {}, method=method, data=body)  # noqa: S310 - https
    try:
        with opener.open(request, timeout=30) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_pages_and_their_static_files_load_through_nginx_with_debug_off(visitor):
    office = visitor(OFFICIAL_AGENT, DESKTOP)
    office.goto("/accounts/login/")
    expect(office.page.get_by_role("button", name="登录")).to_be_visible()

    stylesheets = [a for a in office.answers if "/static/" in a.url and a.url.endswith(".css")]
    assert stylesheets and all(a.status == 200 for a in stylesheets)
    assert office.failures() == []  # no 404 anywhere in the network log
    # The site's stylesheet is applied: the page background is its --c-bg, not the browser's white.
    assert office.page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(246, 245, 242)"
    # The pages name static files by their content's hash (the manifest collectstatic wrote); nginx answers them
    # itself, cached for a year, with its security headers.
    paths = [urlsplit(a.url).path for a in stylesheets]
    assert all(HASHED.search(path) for path in paths), paths
    headers = stylesheets[0].all_headers()
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["strict-transport-security"].startswith("max-age=31536000")
    assert headers["x-content-type-options"] == "nosniff"
    # The same file under its plain name may change with the next release: an hour only.
    status, plain_headers, _ = fetch(STACK_URL + HASHED.sub(r"\1", paths[0]))
    assert status == 200 and plain_headers["Cache-Control"] == "public, max-age=3600"

    status, _, body = fetch(STACK_URL + "/no-such-page/")
    assert status == 404 and b"URLconf" not in body and b"Traceback" not in body  # DEBUG is off


def test_plain_http_is_redirected_to_https_which_sends_hsts():
    status, headers, _ = fetch(STACK_HTTP_URL + "/accounts/login/?next=/cases/")
    assert status == 301
    assert headers["Location"] == STACK_URL + "/accounts/login/?next=/cases/"

    status, headers, _ = fetch(STACK_URL + "/accounts/login/")
    assert status == 200
    assert headers.get_all("Strict-Transport-Security") == ["max-age=31536000; includeSubDomains; preload"]
    # A client that claims the request came over plain HTTP changes nothing: nginx sets the header itself.
    status, _, _ = fetch(STACK_URL + "/accounts/login/", {"X-Forwarded-Proto": "http"})
    assert status == 200


def test_uploads_are_only_reachable_through_the_application():
    status, _, _ = fetch(STACK_URL + "/protected-media/")  # internal: only X-Accel-Redirect reaches it
    assert status == 404


def test_a_request_body_over_56_mb_is_refused_by_nginx_with_our_page_and_one_under_it_is_not(stack):
    path = urlsplit(stack["card_url"]).path
    host = urlsplit(STACK_URL)

    def post(size: int) -> tuple[int, bytes]:
        connection = http.client.HTTPSConnection(host.hostname, host.port, context=UNVERIFIED, timeout=60)
        try:
            # Announced with its length first, as a browser's upload is: nginx answers before taking the body.
            connection.putrequest("POST", path)
            connection.putheader("Content-Type", "application/x-www-form-urlencoded")
            connection.putheader("Content-Length", str(size))
            connection.endheaders()
            if size < 2 * 1024 * 1024:
                connection.send(b"x" * size)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    status, page = post(57 * 1024 * 1024)
    assert status == 413
    assert "上传的内容太大" in page.decode() and "56 MB" in page.decode()
    assert post(1024 * 1024)[0] != 413


def test_a_forwarded_for_header_written_by_the_client_gives_no_fresh_rate_limit_quota():
    """The public pages count lookups of unknown codes per address (20 in 10 minutes). nginx appends the address it
    sees to X-Forwarded-For and the application reads the rightmost entry, so a made-up value per request is
    still the same client: the limit comes as it would without the header."""
    try:
        statuses = []
        for n in range(100):
            statuses.append(fetch(STACK_URL + f"/s/ZZZZZZ{n:02d}/", {"X-Forwarded-For": f"203.0.113.{n}"})[0])
            if statuses[-1] != 404:
                break
        assert statuses == [404] * 20 + [429]  # twenty unknown codes counted against one client, then refused
        assert fetch(STACK_URL + "/s/ZZZZZZ99/", {"X-Forwarded-For": "198.51.100.7, 203.0.113.99"})[0] == 429
    finally:
        # Lift the limit again (only this counter: the same Redis holds the worker's queues).
        stack_manage(
            "shell",
            "-c",
            "from lucun import throttle; from cases.ratelimit import WINDOW_SECONDS; "
            "throttle.reset(purpose='feedback-lookup', value='127.0.0.1', window_seconds=WINDOW_SECONDS)",
        )
    assert fetch(STACK_URL + "/s/ZZZZZZ98/")[0] == 404  # lifted for the tests after this one
