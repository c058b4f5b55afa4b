"""The assistance-request statistic the ISU used to count by hand (source document 001):

"As of 27 June 2018, 12 out of 58 States Parties that had submitted their 2017 Article 7
reports requested international cooperation and assistance ..."

A report counts when a version of it was submitted on or before the date asked; the
version read is the latest one submitted by then, so an amendment submitted later does not
change the figure for an earlier date. A state requests assistance in an area when that
version's voluntary part lists at least one need in the area.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from icahub.reports.forms_schema import AREAS, requested_areas
from icahub.reports.models import ReportKind, ReportVersion, VersionStatus

# The areas in the order the ISU's sentence gives them; "other" areas follow.
SENTENCE_AREAS = AREAS


@dataclass
class AssistanceRequestStatistics:
    convention: str
    reporting_year: int
    as_of: dt.date
    reports_submitted: int = 0
    states: list[str] = field(default_factory=list)
    by_area: dict[str, int] = field(default_factory=dict)

    @property
    def states_requesting(self) -> int:
        return len(self.states)

    def as_dict(self, language: str = "en") -> dict:
        return {
            "convention": self.convention,
            "reporting_year": self.reporting_year,
            "as_of": self.as_of.isoformat(),
            "reports_submitted": self.reports_submitted,
            "states_requesting": self.states_requesting,
            "by_area": self.by_area,
            "states": self.states,
            "text": self.sentence(language),
        }

    def sentence(self, language: str = "en") -> str:
        with translation.override(language):
            return _sentence(self)


def _area_phrase(area: str, count: int) -> str:
    phrases = {
        "stockpile_destruction": ngettext(
            "%(count)d for stockpile destruction", "%(count)d for stockpile destruction", count
        ),
        "clearance": ngettext("%(count)d for clearance", "%(count)d for clearance", count),
        "risk_education": ngettext(
            "%(count)d for risk reduction education",
            "%(count)d for risk reduction education",
            count,
        ),
        "victim_assistance": ngettext(
            "%(count)d for victim assistance", "%(count)d for victim assistance", count
        ),
        "national_legislation": ngettext(
            "%(count)d for national legislation", "%(count)d for national legislation", count
        ),
        "transparency_reporting": ngettext(
            "%(count)d for transparency reporting", "%(count)d for transparency reporting", count
        ),
        "other": ngettext("%(count)d for other purposes", "%(count)d for other purposes", count),
    }
    return phrases[area] % {"count": count}


def _sentence(stats: AssistanceRequestStatistics) -> str:
    # The date pattern is itself translated: "27 June 2018", "27 de junio de 2018".
    date = formats.date_format(
        stats.as_of, pgettext("date in the assistance statistics sentence", "j F Y")
    )
    head = ngettext(
        "As of %(date)s, %(requesting)d out of %(submitted)d State Party that had submitted "
        "its %(year)d Article 7 report requested international cooperation and assistance",
        "As of %(date)s, %(requesting)d out of %(submitted)d States Parties that had submitted "
        "their %(year)d Article 7 reports requested international cooperation and assistance",
        stats.reports_submitted,
    ) % {
        "date": date,
        "requesting": stats.states_requesting,
        "submitted": stats.reports_submitted,
        "year": stats.reporting_year,
    }
    parts = [
        _area_phrase(area, stats.by_area[area])
        for area in SENTENCE_AREAS
        if stats.by_area.get(area)
    ]
    if not parts:
        return head + "."
    # The list is joined by translated patterns so that each language attaches its
    # conjunction its own way (Arabic writes "و1", with no space).
    listed = parts[0]
    if len(parts) > 1:
        listed = _("%(list)s and %(last)s") % {
            "list": pgettext("list separator", ", ").join(parts[:-1]),
            "last": parts[-1],
        }
    return _("%(head)s: %(areas)s.") % {"head": head, "areas": listed}


def assistance_request_statistics(
    *, convention: str, reporting_year: int, as_of: dt.date
) -> AssistanceRequestStatistics:
    """Count the annual reports for ``reporting_year`` submitted by ``as_of`` and, among
    their latest versions as of that date, the states requesting assistance per area."""
    versions = (
        ReportVersion.objects.filter(
            report__convention__code=convention,
            report__kind=ReportKind.ANNUAL,
            report__reporting_year=reporting_year,
            submitted_on__lte=as_of,
        )
        .exclude(status=VersionStatus.DRAFT)
        .values("report_id", "report__state__iso3", "number", "forms")
        .order_by("report_id", "-number")
    )
    stats = AssistanceRequestStatistics(convention, reporting_year, as_of)
    stats.by_area = dict.fromkeys(AREAS, 0)
    seen: set[int] = set()
    requesting: set[str] = set()
    for version in versions.iterator(chunk_size=500):
        if version["report_id"] in seen:
            continue  # an earlier version of a report already counted at its latest
        seen.add(version["report_id"])
        areas = requested_areas(version["forms"])
        if areas:
            requesting.add(version["report__state__iso3"])
            for area in areas:
                stats.by_area[area] += 1
    stats.reports_submitted = len(seen)
    stats.states = sorted(requesting)
    return stats
