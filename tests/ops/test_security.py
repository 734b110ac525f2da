"""Security headers, the Content-Security-Policy, and production's deploy checks."""

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]


class ScriptAndStyleCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inline_scripts = []
        self.external = []
        self.style_attributes = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.style_attributes.append(tag)
        if tag == "script":
            if attrs.get("src"):
                self.external.append(attrs["src"])
            elif attrs.get("type") not in ("application/json",):
                self.inline_scripts.append(attrs)
        if tag == "link" and attrs.get("href"):
            self.external.append(attrs["href"])
        if tag == "img" and attrs.get("src"):
            self.external.append(attrs["src"])


@pytest.mark.parametrize("url", ["/", "/en/", "/about/", "/accounts/login/", "/accounts/signup/"])
def test_pages_send_a_strict_csp_that_their_markup_satisfies(client, site_tree, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    collector = ScriptAndStyleCollector()
    collector.feed(response.content.decode())
    assert collector.inline_scripts == []
    assert collector.style_attributes == []
    # Nothing loads from another host.
    assert all(src.startswith("/") and not src.startswith("//") for src in collector.external)


def test_production_settings_pass_the_deploy_checks():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.production",
        "SECRET_KEY": "a-long-random-production-secret-key-for-the-check-0123456789abcdef",
        "ALLOWED_HOSTS": "academy.example.jp",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(
        DJANGO_SETTINGS_MODULE="lms.settings.production",
        ALLOWED_HOSTS="academy.example.jp",
        DATABASE_URL="sqlite:///:memory:",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
