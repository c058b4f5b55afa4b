"""Every interface string is translated into French, Spanish and Arabic."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

LANGUAGES = ["fr", "es", "ar"]


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(
        str(Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po")
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete(language):
    # given the committed catalogue of this language
    catalogue = _catalogue(language)

    # then nothing is untranslated or fuzzy, and there is something to translate
    assert len(catalogue) > 100
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []


def test_arabic_catalogue_has_six_plural_forms():
    catalogue = _catalogue("ar")

    assert "nplurals=6" in catalogue.metadata["Plural-Forms"]
    for entry in catalogue:
        if entry.msgid_plural:
            assert len(entry.msgstr_plural) == 6
            assert all(entry.msgstr_plural.values()), entry.msgid


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "États parties"), ("es", "Estados partes"), ("ar", "الدول الأطراف")],
)
def test_interface_speaks_the_language(language, expected):
    with translation.override(language):
        assert translation.gettext("States Parties") == expected


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_carry_lang_and_direction(client, language):
    page = client.get(f"/{language}/states/LAO/").content.decode()

    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in page
