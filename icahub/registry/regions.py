"""UN M49 regions and sub-regions with translatable names.

Source: United Nations Statistics Division, Standard country or area codes for statistical
use (M49), https://unstats.un.org/unsd/methodology/m49/ — codes as published there; the
state-to-region assignment comes from hdx-python-country's offline copy of the same table.
"""

from django.utils.translation import gettext_lazy as _

REGIONS = {
    "002": _("Africa"),
    "019": _("Americas"),
    "142": _("Asia"),
    "150": _("Europe"),
    "009": _("Oceania"),
}

SUBREGIONS = {
    "015": _("Northern Africa"),
    "202": _("Sub-Saharan Africa"),
    "419": _("Latin America and the Caribbean"),
    "021": _("Northern America"),
    "143": _("Central Asia"),
    "030": _("Eastern Asia"),
    "035": _("South-eastern Asia"),
    "034": _("Southern Asia"),
    "145": _("Western Asia"),
    "151": _("Eastern Europe"),
    "154": _("Northern Europe"),
    "039": _("Southern Europe"),
    "155": _("Western Europe"),
    "053": _("Australia and New Zealand"),
    "054": _("Melanesia"),
    "057": _("Micronesia"),
    "061": _("Polynesia"),
}


def region_name(code: str) -> str:
    """The translated name of an M49 region or sub-region code ('' when unknown)."""
    name = REGIONS.get(code) or SUBREGIONS.get(code)
    return str(name) if name else ""
