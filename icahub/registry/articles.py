"""Translatable names of the conventions and headings of the articles that carry obligations.

The English headings are those of the treaty texts (CCM, Dublin 2008; APMBC, Oslo 1997);
the French, Spanish and Arabic ones in locale/ follow the authentic texts in those languages.
"""

from django.utils.translation import gettext_lazy as _

CONVENTION_NAMES = {
    "CCM": _("Convention on Cluster Munitions"),
    "APMBC": _(
        "Convention on the Prohibition of the Use, Stockpiling, Production and Transfer of "
        "Anti-Personnel Mines and on their Destruction"
    ),
}
CONVENTION_SHORT_NAMES = {
    "CCM": _("Convention on Cluster Munitions"),
    "APMBC": _("Anti-Personnel Mine Ban Convention"),
}

ARTICLE_TITLES = {
    ("CCM", "3"): _("Storage and stockpile destruction"),
    ("CCM", "4"): _(
        "Clearance and destruction of cluster munition remnants and risk reduction education"
    ),
    ("CCM", "5"): _("Victim assistance"),
    ("CCM", "6"): _("International cooperation and assistance"),
    ("CCM", "7"): _("Transparency measures"),
    ("CCM", "9"): _("National implementation measures"),
    ("APMBC", "4"): _("Destruction of stockpiled anti-personnel mines"),
    ("APMBC", "5"): _("Destruction of anti-personnel mines in mined areas"),
    ("APMBC", "6"): _("International cooperation and assistance"),
    ("APMBC", "7"): _("Transparency measures"),
    ("APMBC", "9"): _("National implementation measures"),
}


def article_title(convention_code: str, number: str) -> str:
    title = ARTICLE_TITLES.get((convention_code, number))
    return str(title) if title else ""


def convention_name(code: str, *, short: bool = False) -> str:
    name = (CONVENTION_SHORT_NAMES if short else CONVENTION_NAMES).get(code)
    return str(name) if name else ""
