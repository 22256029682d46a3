"""Static files in production: collected under names that carry their content's hash (a manifest), which the proxy
caches for a year; every page finds each file it names, with DEBUG off."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from tests.security.conftest import build_world
from tests.security.matrix_client import call
from tests.security.routes import ROUTES

ROOT = Path(__file__).resolve().parents[2]
# The storage production uses (lucun.settings.production); the test settings keep plain names.
PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
STATIC_TAG = re.compile(r"{%\s*static\b[^%]*%}")
LITERAL_STATIC_TAG = re.compile(r"""{%\s*static\s+(['"])([^'"]+)\1\s*%}""")
STATIC_LINK = re.compile(r"""(?:href|src)=["']/static/([^"'?#]+)""")


def _immutable_rule() -> re.Pattern:
    """The pattern of the nginx location that caches hashed static names for a year (deploy/nginx)."""
    conf = (ROOT / "deploy" / "nginx" / "lucun.conf.template").read_text()
    found = re.search(r'location ~ "([^"]+)" \{\s*add_header Cache-Control "public, max-age=31536000, immutable"', conf)
    assert found, "deploy/nginx/lucun.conf.template has no immutable rule for hashed static names"
    return re.compile(found.group(1))


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Path:
    """Run collectstatic as a deployment does: the production settings, into an empty folder."""
    folder = tmp_path_factory.mktemp("production")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "STATIC_", "LUCUN_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "lucun.settings.production",
            "SECRET_KEY": "collectstatic-" + "x" * 50,
            "ALLOWED_HOSTS": "lucun.example.org",
            "STATIC_ROOT": str(folder / "static"),
            "MEDIA_ROOT": str(folder / "media"),
            "LUCUN_VAR_DIR": str(folder / "var"),
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return folder / "static"


@pytest.fixture
def manifest(collected) -> dict[str, str]:
    return json.loads((collected / "staticfiles.json").read_text())["paths"]


@pytest.fixture
def production_static(settings, collected):
    """Serve static names as production does: from the manifest, strictly, with DEBUG off."""
    settings.DEBUG = False
    settings.STATIC_ROOT = collected
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}


def test_production_collects_hashed_and_compressed_names_that_nginx_caches_for_a_year(collected, manifest):
    immutable = _immutable_rule()
    hashed = manifest["css/lucun.css"]
    assert re.fullmatch(r"css/lucun\.[0-9a-f]{12}\.css", hashed)
    assert immutable.search("/static/" + hashed)
    assert not immutable.search("/static/css/lucun.css")  # a plain name may change: it keeps the short cache
    # nginx's gzip_static sends the compressed copy; the plain name stays for anything that asks for it.
    assert (collected / f"{hashed}.gz").exists() and (collected / "css/lucun.css").exists()
    assert all(immutable.search("/static/" + hashed) for name, hashed in manifest.items() if Path(name).suffix)


def test_every_static_name_in_the_templates_is_collected(manifest):
    named, unreadable = set(), []
    for template in (ROOT / "templates").rglob("*.html"):
        for tag in STATIC_TAG.findall(template.read_text()):
            literal = LITERAL_STATIC_TAG.fullmatch(tag)
            if literal is None:
                unreadable.append(f"{template.relative_to(ROOT)}: {tag}")  # a name this test cannot check
            else:
                named.add(literal.group(2))
    assert unreadable == []
    assert named and sorted(named - set(manifest)) == []


@pytest.mark.django_db
def test_every_page_renders_with_the_hashed_names_and_debug_off(client, production_static, manifest):
    """Each page, as the street leader (who may open them all) and the admin's as a superuser: a name missing from
    the manifest raises while the page renders, and every /static/ link on it is a collected, hashed name."""
    world = build_world()
    world.users["superuser"] = get_user_model().objects.create_superuser("root", password="secret-pass-123")
    hashed = set(manifest.values())
    pages = [route for route in ROUTES if route.method == "GET"]
    unhashed, links = [], 0
    for route in pages:
        response = call(client, world, "street_leader", route)
        assert response.status_code < 500, f"{route.name}: {response.status_code}"
        if "html" in response.get("Content-Type", ""):
            found = STATIC_LINK.findall(response.content.decode())
            links += len(found)
            unhashed += [f"{route.name}: {name}" for name in found if name not in hashed]
    client.force_login(world.users["superuser"])
    for url in ("/admin/", "/admin/password_change/", "/admin/lucun/user/", "/admin/axes/accessattempt/"):
        response = client.get(url)
        assert response.status_code == 200, url
        unhashed += [f"{url}: {name}" for name in STATIC_LINK.findall(response.content.decode()) if name not in hashed]
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 302 and favicon.url == "/static/" + manifest["favicon.ico"]
    assert links > len(pages) and unhashed == []
