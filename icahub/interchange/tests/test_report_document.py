import datetime as dt
import io

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from icahub.interchange import report_document as rd
from icahub.registry.models import Convention, State
from icahub.reports import forms_schema, services

pytestmark = pytest.mark.django_db

FORMS = {
    "A": {"status": "unchanged", "narrative": "Law No. 05/NA of 2012.", "last_reported": 2016},
    "B": {
        "status": "changed",
        "narrative": "Stockpile destruction completed in 2017.",
        "tables": {
            "stockpiles": [
                {"type": "BLU-26", "held": 1200, "destroyed": 1200, "remaining": 0},
                {"type": "M77", "held": 300, "destroyed": 120, "remaining": 180},
            ]
        },
    },
    "C": {"status": "changed", "narrative": "Types <M85> & BLU-63 (see Form B)."},
    "D": {"status": "not_applicable"},
    "F": {
        "status": "changed",
        "narrative": "Survey and clearance continued in nine provinces.\nSee annex.",
        "tables": {
            "areas": [
                {
                    "region": "Xieng Khouang",
                    "year": 2017,
                    "contaminated_m2": "8500000",
                    "cleared_m2": "1234567.5",
                    "remaining_m2": "7265432.5",
                },
                {
                    "region": "Savannakhet",
                    "year": 2017,
                    "contaminated_m2": "6000000",
                    "cleared_m2": "900000",
                    "remaining_m2": "5100000",
                },
            ]
        },
    },
    "H": {
        "status": "changed",
        "fields": {
            "victims_recorded": 50754,
            "focal_point": "Ministry of Labour and Social Welfare",
            "national_plan": "adopted",
        },
        "tables": {
            "services": [
                {"service": "medical_care", "description": "Provincial hospitals"},
                {"service": "rehabilitation", "people_reached": 1400},
            ]
        },
    },
    "I": {
        "status": "changed",
        "tables": {
            "national_resources": [{"article": "4", "amount": "250000", "currency": "USD"}],
            "assistance_received": [
                {
                    "provider": "Norway",
                    "amount": "1500000",
                    "currency": "USD",
                    "type": "financial",
                    "article": "4",
                },
            ],
        },
    },
    "needs": {
        "tables": {
            "needs": [
                {
                    "area": "clearance",
                    "modality": "financial",
                    "title": "Clearance of 12 km²",
                    "budget_required": "4000000",
                    "currency": "USD",
                },
                {
                    "area": "victim_assistance",
                    "modality": "technical",
                    "title": "Physical rehabilitation in the south",
                },
            ]
        }
    },
}


@pytest.fixture
def filed(isu_user):
    """LAO's 2017 CCM annual report, filled and submitted by the ISU on 30 April 2018."""
    report = services.report_start(
        state=State.objects.get(iso3="LAO"),
        convention=Convention.objects.get(code="CCM"),
        kind="annual",
        reporting_year=2017,
    )
    services.version_update(
        version=services.current_draft(report),
        forms=FORMS,
        data={
            "contact_name": "Ms Focal Point",
            "contact_organisation": "National Regulatory Authority",
            "contact_email": "focal@example.org",
            "contact_phone": "+856 21 000 000",
        },
    )
    version = services.report_submit(
        report=report, user=isu_user, submitted_on=dt.date(2018, 4, 30)
    )
    return report, version


def _docx(report, version, language="en"):
    return Document(io.BytesIO(rd.render_docx(report, version, language=language)))


def _texts(document) -> list[str]:
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    return texts


def test_docx_has_the_cover_and_every_form_of_the_schema(filed):
    report, version = filed

    document = _docx(report, version)
    texts = _texts(document)
    paragraphs = [p.text for p in document.paragraphs]

    assert document.paragraphs[0].text == "Convention on Cluster Munitions — Article 7 report"
    assert "Lao People's Democratic Republic" in texts
    assert "1 January 2017 – 31 December 2017" in texts
    assert "30 April 2018" in texts
    assert (
        "Ms Focal Point\nNational Regulatory Authority\nfocal@example.org\n+856 21 000 000" in texts
    )
    for form in forms_schema.CCM.forms:
        heading = str(form.title) if form.voluntary else f"Form {form.key}: {form.title}"
        assert heading in paragraphs
    assert paragraphs.index("Voluntary: assistance needed") > paragraphs.index(
        "Form J: Other relevant matters"
    )


def test_docx_cover_table_marks_each_form(filed):
    report, version = filed

    cover = _docx(report, version).tables[1]
    rows = {row.cells[0].text: row.cells[1].text for row in cover.rows}

    assert [cell.text for cell in cover.rows[0].cells] == ["Form", "Status"]
    assert cover.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert rows["Form A: National implementation measures"] == "Unchanged (last reported 2016)"
    assert rows["Form B: Stockpiles and their destruction"] == "Changed"
    assert rows["Form D: Cluster munitions retained or transferred"] == "Not applicable"
    assert rows["Form J: Other relevant matters"] == "Not reported"
    assert len(cover.rows) == 1 + 10  # header, forms A-J; the voluntary part is not marked


def test_docx_tables_have_column_labels_and_right_aligned_numbers(filed):
    report, version = filed

    document = _docx(report, version)
    areas = next(t for t in document.tables if t.rows[0].cells[0].text == "Area or region")
    header = [cell.text for cell in areas.rows[0].cells]
    first = areas.rows[1].cells

    assert header[2] == "Contaminated area at the start (m²)"
    assert [cell.text for cell in first] == [
        "Xieng Khouang",
        "2017",
        "8,500,000",
        "1,234,567.5",
        "7,265,432.5",
    ]
    assert first[3].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert first[0].paragraphs[0].alignment is None
    texts = _texts(document)
    assert "Survey and clearance continued in nine provinces." in texts
    assert "Medical care" in texts  # choice values are shown by their labels
    assert ("Victims recorded", "50,754") in [
        (row.cells[0].text, row.cells[1].text) for t in document.tables for row in t.rows
    ]


def test_docx_in_french_translates_the_labels(filed):
    report, version = filed

    texts = _texts(_docx(report, version, "fr"))

    assert texts[0] == "Convention sur les armes à sous-munitions — Rapport au titre de l'article 7"
    assert "République démocratique populaire lao" in texts
    assert "Période de référence" in texts
    assert "Formulaire F\xa0: Zones contaminées et dépollution" in texts
    assert "Zone ou région" in texts
    assert "Sans objet" in texts


def _bidi(paragraph) -> bool:
    return paragraph._p.pPr is not None and paragraph._p.pPr.find(qn("w:bidi")) is not None


def test_docx_in_arabic_runs_right_to_left(filed):
    report, version = filed

    document = _docx(report, version, "ar")

    title = document.paragraphs[0]
    assert title.text == "اتفاقية الذخائر العنقودية — تقرير مقدم بموجب المادة 7"
    assert _bidi(title)
    assert all(run.font.rtl for run in title.runs)
    headings = [p for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings and all(_bidi(p) for p in headings)
    assert document.sections[0]._sectPr.find(qn("w:bidi")) is not None
    assert all(t._tbl.tblPr.find(qn("w:bidiVisual")) is not None for t in document.tables)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    assert fonts.get(qn("w:cs")) == "Noto Naskh Arabic"
    # Arabic cells: bidi, and no left/right alignment (the start edge is the right one).
    state_label, state = document.tables[0].rows[0].cells
    assert state.text == "جمهورية لاو الديمقراطية الشعبية"
    assert _bidi(state_label.paragraphs[0]) and _bidi(state.paragraphs[0])
    assert state.paragraphs[0].alignment is None
    # A telephone number keeps its left-to-right order, flush right with the column.
    phone = document.tables[0].rows[-1].cells[1].paragraphs[-1]
    assert phone.text == "+856 21 000 000"
    assert not _bidi(phone)
    assert phone.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    # An English narrative in an Arabic report reads left to right.
    narrative = next(p for p in document.paragraphs if p.text.startswith("Survey and"))
    assert not _bidi(narrative)


def test_text_direction_follows_the_first_strong_character():
    assert rd.text_direction("جمهورية لاو") == "rtl"
    assert rd.text_direction("Law 2012 جمهورية") == "ltr"
    assert rd.text_direction("2017 جمهورية") == "rtl"
    assert rd.text_direction("+856 21 000 000") == "ltr"


def test_docx_footer_numbers_pages(filed):
    report, version = filed

    footer = _docx(report, version).sections[0].footer.paragraphs[0]
    instructions = [f.get(qn("w:instr")) for f in footer._p.iter(qn("w:fldSimple"))]

    assert instructions == ["PAGE", "NUMPAGES"]
    assert [run.text for run in footer.runs] == ["Page ", " of "]


def test_report_html_has_the_layout_direction_and_no_external_resource(filed):
    report, version = filed

    html = rd.report_html(report, version, "en")
    arabic = rd.report_html(report, version, "ar")

    assert '<html lang="en" dir="ltr">' in html
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "@bottom-center" in html
    assert 'content: "Page " counter(page) " of " counter(pages);' in html
    assert "<thead>" in html and "size: A4" in html
    assert "Form F: Contaminated areas and clearance" in html
    assert '<td class="number">1,234,567.5</td>' in html
    assert "Lao People&#x27;s Democratic Republic" in html
    assert "http" not in html.replace("focal@example.org", "")
    assert "<p>Types &lt;M85&gt; &amp; BLU-63 (see Form B).</p>" in html  # escaped
    assert "جمهورية لاو الديمقراطية الشعبية" in arabic
    assert '<div dir="ltr">+856 21 000 000</div>' in arabic
    assert '<p dir="ltr">Survey and clearance continued in nine provinces.</p>' in arabic


def test_pdf_is_a_paged_a4_document(filed):
    report, version = filed

    pdf = rd.render_pdf(report, version, language="en")
    pages = rd.pdf_document(report, version, language="en").pages

    assert pdf.startswith(b"%PDF")
    assert len(pages) >= 2
    width, height = pages[0].width, pages[0].height  # CSS px at 96 dpi
    assert (round(width * 25.4 / 96), round(height * 25.4 / 96)) == (210, 297)


def test_pdf_in_arabic_renders(filed):
    report, version = filed

    assert rd.render_pdf(report, version, language="ar").startswith(b"%PDF")


def test_unknown_language_is_refused(filed):
    report, version = filed

    with pytest.raises(ValueError, match="language"):
        rd.render_docx(report, version, language="de")


def test_document_filename(filed):
    report, version = filed

    assert rd.document_filename(report, version, "pdf") == "LAO-CCM-annual-2017-v1.pdf"


def _page_texts(pdf_document) -> list[str]:
    from weasyprint.formatting_structure.boxes import TextBox

    return [
        " ".join(box.text for box in page._page_box.descendants() if isinstance(box, TextBox))
        for page in pdf_document.pages
    ]


def test_pdf_repeats_a_long_table_header_on_each_page(isu_user):
    report = services.report_start(
        state=State.objects.get(iso3="LAO"),
        convention=Convention.objects.get(code="CCM"),
        kind="annual",
        reporting_year=2017,
    )
    rows = [
        {
            "region": f"District {n}",
            "year": 2017,
            "contaminated_m2": "1000",
            "cleared_m2": "10",
            "remaining_m2": "990",
        }
        for n in range(1, 121)
    ]
    services.version_update(
        version=services.current_draft(report), forms={"F": {"tables": {"areas": rows}}}
    )
    version = services.current_draft(report)

    pages = _page_texts(rd.pdf_document(report, version, language="en"))

    with_rows = [text for text in pages if "District " in text]
    assert len(with_rows) >= 3
    assert all("Area remaining (m²)" in text for text in with_rows)
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
