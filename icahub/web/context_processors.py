from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language_bidi


def site(request: HttpRequest) -> dict:
    return {
        "site_name": settings.ICAHUB_SITE_NAME,
        "text_direction": "rtl" if get_language_bidi() else "ltr",
        # Each language in its own name (English, Français, Español, العربية), untranslated.
        "interface_languages": settings.LANGUAGES,
    }
