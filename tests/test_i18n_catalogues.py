"""The ja and en catalogues are complete: every message of the project is translated."""

import subprocess
from pathlib import Path

import polib
import pytest

BASE_DIR = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_catalogue_has_no_untranslated_or_fuzzy_entries(language):
    po = polib.pofile(str(BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"))
    assert len(po) > 50
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_catalogues_cover_every_message_in_the_code(tmp_path):
    """Every message in the Python code and the templates is in the ja catalogue.

    Templates are turned into gettext-readable source the way makemessages does it.
    """
    from django.utils.translation.template import templatize

    po = polib.pofile(str(BASE_DIR / "locale" / "ja" / "LC_MESSAGES" / "django.po"))
    known = {e.msgid for e in po}
    templates = []
    templates_found = [*BASE_DIR.glob("templates/**/*.html"), *BASE_DIR.glob("templates/**/*.txt")]
    for n, template in enumerate(sorted(templates_found)):
        target = tmp_path / f"template_{n}.py"
        target.write_text(templatize(template.read_text(encoding="utf-8")), encoding="utf-8")
        templates.append(str(target))
    result = subprocess.run(
        [
            "xgettext",
            "--from-code=UTF-8",
            "--language=Python",
            "--keyword=gettext_lazy",
            "--keyword=_",
            "--keyword=gettext",
            "--keyword=pgettext:1c,2",
            "--keyword=ngettext:1,2",
            "--output=-",
            *[str(p) for p in BASE_DIR.glob("lms/**/*.py")],
            *[str(p) for p in BASE_DIR.glob("cms/**/*.py")],
            *templates,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = {e.msgid for e in polib.pofile(result.stdout)} - {""}
    assert sorted(found - known) == []


def test_compiled_japanese_catalogue_is_used():
    from django.utils import translation

    with translation.override("ja"):
        translated = translation.gettext("Regional Producer Academy")
    assert translated == "地域プロデューサー養成アカデミー"
