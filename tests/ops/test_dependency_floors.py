"""The libraries that parse untrusted input or serve every request stay above the releases
with published security advisories.

Each floor is the first release that fixed the last advisory we know of for that series
(the Django and Wagtail floors are the newest security releases of their series when the
floor was last raised). When a new advisory is published, raise the floor here and the
lower bound in pyproject.toml together; this test then fails on any environment still
resolving an affected version.
"""

import tomllib
from importlib.metadata import PackageNotFoundError, version

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from tests.ops.test_security import BASE_DIR

FLOORS = {
    # Django 5.2 LTS: 5.2.19 is the latest security release of the series (2026-11).
    "django": Version("5.2.19"),
    # Wagtail 8.0: 8.0.1 carries the fixes released after 8.0.
    "wagtail": Version("8.0.1"),
    # Pillow: 11.3.0 fixed CVE-2025-48379 (heap overflow writing DDS images); fieldwork
    # photos are decoded by Pillow, so this one matters most.
    "pillow": Version("11.3.0"),
    # WeasyPrint: 68.0 fixed CVE-2025-68616 (HTTP redirects bypassed a custom URL
    # fetcher); certificate rendering relies on its fetcher refusing everything else.
    "weasyprint": Version("68.0"),
}


@pytest.mark.parametrize("package", sorted(FLOORS))
def test_installed_version_is_at_or_above_the_floor(package):
    try:
        installed = Version(version(package))
    except PackageNotFoundError:
        pytest.fail(f"{package} is not installed")
    assert installed >= FLOORS[package], (
        f"{package} {installed} is below {FLOORS[package]}, which fixed a published advisory"
    )


def _declared():
    with open(BASE_DIR / "pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    return {Requirement(spec).name.lower(): Requirement(spec) for spec in project["dependencies"]}


@pytest.mark.parametrize("package", ["django", "wagtail"])
def test_declared_requirement_excludes_affected_versions(package):
    """pip can never resolve an affected version from pyproject.toml."""
    requirement = _declared()[package]
    floor = FLOORS[package]
    below = Version(f"{floor.major}.{floor.minor}.{floor.micro - 1}")
    assert not requirement.specifier.contains(below), (
        f"pyproject.toml allows {package} {below}; raise its lower bound to {FLOORS[package]}"
    )
