"""Flows at the system's edge: the table behind the CSV/XLSX downloads, an HXL-tagged CSV
and an IATI 2.03 activity file.

IATI mapping (one ``iati-activity`` per flow that is not a pledge):

- ``iati-identifier``: ``<reporting org ref>-flow-<id>``; ``reporting-org``: the ISU, whose
  registered identifier a deployment sets in ``settings.ICAHUB_IATI_REPORTING_ORG_REF``;
- ``participating-org``: the giver with role 1 (funding), the recipient with role 4
  (implementing); organisation type 10 (government) for a state, else from the
  organisation's kind (21 international NGO, 40 multilateral, 15 other public sector...);
- ``recipient-country``: the recipient state's ISO 3166-1 alpha-2 code, when a state;
- ``sector``: DAC 5-digit vocabulary 1, code 15250 "Removal of land mines and explosive
  remnants of war", 100 %; the icahub area is kept as a second sector in vocabulary 99
  (reporting organisation's own);
- ``transaction``: one, of type 2 (outgoing commitment) for a commitment reported by the
  giver or by no one, 11 (incoming commitment) for a commitment reported only by the
  recipient, 3 for a disbursement, 4 for an expenditure; ``value`` in the original
  currency with its ``value-date``; ``provider-org`` and ``receiver-org`` name the parties.

Pledges are promises, not IATI transactions: they are left out of the IATI file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from xml.etree.ElementTree import Element, SubElement, tostring  # noqa: S405 (writes only)

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from icahub.funding.models import Flow, FlowStatus
from icahub.registry.models import Organisation, State

DAC_MINE_ACTION = "15250"
IATI_VERSION = "2.03"
IATI_TYPE = "application/xml; charset=utf-8"
ORGANISATION_TYPES = {
    "government_agency": "10",
    "operator": "21",
    "international_organisation": "40",
    "ngo": "21",
    "survivor_or_dpo": "22",
    "donor_agency": "10",
    "regional_organisation": "40",
}


def party_code(party) -> str:
    if isinstance(party, State):
        return party.iso3
    if isinstance(party, Organisation):
        return party.acronym or f"organisation:{party.pk}"
    if party is not None:
        return f"coalition:{party.pk}"
    return ""


def party_name(party) -> str:
    if isinstance(party, State):
        return party.name
    return str(party) if party is not None else ""


def flow_table(flows: Iterable[Flow]) -> tuple[list[str], list[list]]:
    """Headers and rows of the CSV/XLSX downloads (one row per flow)."""
    headers = [
        _("Id"),
        _("Giver"),
        _("Giver code"),
        _("Recipient"),
        _("Recipient code"),
        _("Need id"),
        _("Need"),
        _("Area"),
        _("Status"),
        _("Counts as funding"),
        _("Amount"),
        _("Currency"),
        _("Value date"),
        _("Value in USD"),
        _("Year"),
        _("Modality"),
        _("Cooperation model"),
        _("Use of funds"),
        _("Visibility"),
        _("Source"),
        _("Reported by the giver"),
        _("Reported by the recipient"),
    ]
    rows = []
    for flow in flows:
        rows.append(
            [
                flow.pk,
                party_name(flow.giver),
                party_code(flow.giver),
                party_name(flow.recipient),
                party_code(flow.recipient),
                flow.need_id,
                flow.need.title if flow.need_id else "",
                flow.get_area_display(),
                flow.get_status_display(),
                _("yes") if flow.is_funding else _("no (pledge)"),
                flow.amount,
                flow.currency,
                flow.value_date,
                flow.usd_value if flow.usd_value is not None else _("not valued (no rate)"),
                flow.year,
                flow.get_modality_display(),
                flow.get_cooperation_model_display(),
                flow.notes_on_use,
                flow.get_visibility_display(),
                flow.get_source_display(),
                _("yes") if flow.reported_by_giver else _("no"),
                _("yes") if flow.reported_by_recipient else _("no"),
            ]
        )
    return headers, rows


HXL_COLUMNS = [
    ("Flow id", "#meta+id"),
    ("Funder", "#org+funder+name"),
    ("Funder code", "#org+funder+code"),
    ("Recipient", "#org+impl+name"),
    ("Recipient country", "#country+code"),
    ("Sector", "#sector+name"),
    ("Sector code", "#sector+code"),
    ("Need", "#activity+name"),
    ("Status", "#status"),
    ("Amount", "#value+original"),
    ("Currency", "#currency"),
    ("Value USD", "#value+usd"),
    ("Value date", "#date"),
    ("Year", "#date+year"),
    ("Modality", "#meta+modality"),
    ("Cooperation model", "#meta+cooperation"),
]


def hxl_response(filename: str, flows: Iterable[Flow]) -> HttpResponse:
    """A CSV whose second row holds HXL hashtags (Humanitarian Exchange Language), so
    tools such as HDX read it without mapping. Codes, not translated labels, in the
    cells; an unvalued flow has an empty ``#value+usd``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([name for name, _tag in HXL_COLUMNS])
    writer.writerow([tag for _name, tag in HXL_COLUMNS])
    for flow in flows:
        recipient = flow.recipient
        writer.writerow(
            [
                flow.pk,
                party_name(flow.giver),
                party_code(flow.giver),
                party_name(recipient),
                recipient.iso3 if isinstance(recipient, State) else "",
                flow.area,
                flow.area,
                flow.need.title if flow.need_id else "",
                flow.status,
                flow.amount,
                flow.currency,
                "" if flow.usd_value is None else flow.usd_value,
                flow.value_date.isoformat(),
                flow.year,
                flow.modality,
                flow.cooperation_model,
            ]
        )
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.hxl.csv"'
    return response


def iati_transaction_type(flow: Flow) -> str | None:
    """The IATI transaction-type code of a flow, None for a pledge (not a transaction)."""
    if flow.status == FlowStatus.COMMITMENT:
        return "11" if flow.reported_by_recipient and not flow.reported_by_giver else "2"
    return {FlowStatus.DISBURSEMENT: "3", FlowStatus.EXPENDITURE: "4"}.get(flow.status)


def _narrative(parent: Element, tag: str, text: str, **attributes) -> Element:
    element = SubElement(parent, tag, **attributes)
    SubElement(element, "narrative").text = text
    return element


def _org_attributes(party) -> dict:
    if isinstance(party, State):
        return {"type": "10"}
    if isinstance(party, Organisation) and party.kind in ORGANISATION_TYPES:
        return {"type": ORGANISATION_TYPES[party.kind]}
    return {}


def iati_xml(flows: Iterable[Flow]) -> bytes:
    """An IATI 2.03 ``iati-activities`` document of the flows (pledges left out)."""
    reporting_ref = getattr(settings, "ICAHUB_IATI_REPORTING_ORG_REF", "XI-ICAHUB-ISU")
    now = timezone.now().replace(microsecond=0).isoformat()
    root = Element("iati-activities", version=IATI_VERSION, **{"generated-datetime": now})
    for flow in flows:
        code = iati_transaction_type(flow)
        if code is None:
            continue
        activity = SubElement(
            root,
            "iati-activity",
            **{
                "last-updated-datetime": flow.updated_at.replace(microsecond=0).isoformat(),
                "default-currency": flow.currency,
            },
        )
        SubElement(activity, "iati-identifier").text = f"{reporting_ref}-flow-{flow.pk}"
        _narrative(
            activity,
            "reporting-org",
            "icahub Implementation Support Unit",
            ref=reporting_ref,
            type="40",
        )
        title = flow.need.title if flow.need_id else f"{flow.get_area_display()} {flow.year}"
        _narrative(activity, "title", title)
        if flow.notes_on_use:
            _narrative(activity, "description", flow.notes_on_use, type="1")
        _narrative(
            activity,
            "participating-org",
            party_name(flow.giver),
            role="1",
            **_org_attributes(flow.giver),
        )
        _narrative(
            activity,
            "participating-org",
            party_name(flow.recipient),
            role="4",
            **_org_attributes(flow.recipient),
        )
        SubElement(activity, "activity-status", code="2")
        SubElement(activity, "activity-date", type="2", **{"iso-date": flow.value_date.isoformat()})
        if isinstance(flow.recipient, State):
            SubElement(activity, "recipient-country", code=flow.recipient.iso2, percentage="100")
        SubElement(activity, "sector", vocabulary="1", code=DAC_MINE_ACTION, percentage="100")
        _narrative(
            activity,
            "sector",
            flow.get_area_display(),
            vocabulary="99",
            code=flow.area,
            percentage="100",
        )
        transaction = SubElement(activity, "transaction")
        SubElement(transaction, "transaction-type", code=code)
        SubElement(transaction, "transaction-date", **{"iso-date": flow.value_date.isoformat()})
        value = SubElement(
            transaction,
            "value",
            currency=flow.currency,
            **{"value-date": flow.value_date.isoformat()},
        )
        value.text = f"{flow.amount:.2f}"
        _narrative(transaction, "provider-org", party_name(flow.giver))
        _narrative(transaction, "receiver-org", party_name(flow.recipient))
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="utf-8")


def iati_response(filename: str, flows: Iterable[Flow]) -> HttpResponse:
    response = HttpResponse(iati_xml(flows), content_type=IATI_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.iati.xml"'
    return response
