import datetime as dt
import io
import random
import shutil
import subprocess
import zipfile

import pytest
from openpyxl import load_workbook

from icahub.interchange import report_xlsx
from icahub.registry.models import Convention, State
from icahub.reports import forms_schema, services
from icahub.reports.models import Report, ReportVersion

pytestmark = pytest.mark.django_db

TEXTS = (
    "Stock M26 — dépôt n°2 à Vientiane",
    "مخزونات الذخائر العنقودية في المنطقة الشمالية",
    "Programme d’éducation aux risques, province de Xieng Khouang",
    "=SUM(A1:A2) is text, not a formula",
    "Two lines:\nfirst and second",
    "Pasted from a form:\r\nsecond line, _x0041_ kept as typed, control \x01 too",
)
DECIMALS = ("1500.5", "0.25", "1234567.89", "12345678901234567.125", "42")
CONTACTS = {
    "contact_name": "فاطمة الزهراء",
    "contact_organisation": "Autorité nationale de l’action contre les mines",
    "contact_email": "focal.point@example.org",
    "contact_phone": "+856 21 123 456",
}


def _value(spec: forms_schema.Field, n: int) -> object:
    """A valid value of the field's kind, varied by n."""
    if spec.kind == "text":
        return TEXTS[n % len(TEXTS)]
    if spec.kind == "int":
        return 10 * n + 7
    if spec.kind == "year":
        return 2015 + n % 5
    if spec.kind == "decimal":
        return DECIMALS[n % len(DECIMALS)]
    if spec.kind == "date":
        return (dt.date(2019, 3, 1) + dt.timedelta(days=37 * n)).isoformat()
    if spec.kind == "bool":
        return n % 2 == 0
    if spec.kind == "choice":
        return spec.choices[n % len(spec.choices)]
    if spec.kind == "currency":
        return ("USD", "EUR", "CHF")[n % 3]
    raise AssertionError(spec.kind)


def filled_forms(convention: str, seed: int = 0, rows: int = 3) -> dict:
    """Every form of the convention's schema filled: each scalar field, each table with
    ``rows`` rows, each column with a valid value of its kind."""
    forms = {}
    for f, form in enumerate(forms_schema.schema_for(convention).forms):
        data: dict = {"narrative": TEXTS[(seed + f) % len(TEXTS)]}
        if not form.voluntary:
            data["status"] = "changed"
        if form.fields:
            data["fields"] = {s.key: _value(s, seed + i) for i, s in enumerate(form.fields)}
        if form.tables:
            data["tables"] = {
                table.key: [
                    {c.key: _value(c, seed + r + i) for i, c in enumerate(table.columns)}
                    for r in range(rows)
                ]
                for table in form.tables
            }
        forms[form.key] = data
    # One form carried forward from an earlier report.
    forms["A"]["status"] = "unchanged"
    forms["A"]["last_reported"] = 2018
    return forms


def _filled_report(iso3: str, convention: str, year: int = 2020) -> Report:
    report = services.report_start(
        state=State.objects.get(iso3=iso3),
        convention=Convention.objects.get(code=convention),
        kind="annual",
        reporting_year=year,
    )
    services.version_update(
        version=services.current_draft(report),
        forms=filled_forms(convention),
        data={**CONTACTS, "language": "fr"},
    )
    return report


def _contacts(version: ReportVersion) -> dict:
    return {name: getattr(version, name) for name in (*services.CONTACT_FIELDS, "language")}


def _edit(data: bytes, edits: dict[tuple[str, str], object]) -> bytes:
    workbook = load_workbook(io.BytesIO(data))
    for (sheet, cell), value in edits.items():
        workbook[sheet][cell].value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _report_row(data: bytes, key: str) -> int:
    sheet = load_workbook(io.BytesIO(data))["Report"]
    return next(row[0].row for row in sheet.iter_rows(min_col=3, max_col=3) if row[0].value == key)


def _leaves(value):
    if isinstance(value, dict):
        for inner in value.values():
            yield from _leaves(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _leaves(inner)
    else:
        yield value


def _snapshot() -> tuple:
    return (
        Report.objects.count(),
        sorted(ReportVersion.objects.values_list("pk", "forms", "contact_email", "status")),
        ReportVersion.history.count(),
    )


def test_template_has_headers_with_asterisks_keys_and_drop_downs():
    # given / when
    workbook = load_workbook(io.BytesIO(report_xlsx.build_template("CCM")))

    # then
    assert workbook.sheetnames[:3] == ["Report", "A Measures", "B Stockpiles"]
    assert "Needs" in workbook.sheetnames
    assert workbook["_meta"].sheet_state == "hidden"
    assert workbook["_meta"]["B1"].value == report_xlsx.TEMPLATE_VERSION
    stockpiles = workbook["B Stockpiles"]
    headers = [cell.value for cell in stockpiles[1]]
    keys = [cell.value for cell in stockpiles[2]]
    assert "Held at the start of the period *" in headers
    assert "Submunitions remaining" in headers
    assert keys[headers.index("Held at the start of the period *")] == "stockpiles.held"
    assert stockpiles.freeze_panes == "A3"
    measures = workbook["A Measures"].data_validations.dataValidation
    assert any(
        dv.type == "list" and "penal_sanction" in dv.formula1 and "A3" in dv.sqref
        for dv in measures
    )
    report = workbook["Report"]
    statuses = [dv for dv in report.data_validations.dataValidation if dv.type == "list"]
    assert any("changed,unchanged,not_applicable" in dv.formula1 for dv in statuses)
    keys = [row[2].value for row in report.iter_rows(min_row=2) if row[2].value]
    assert keys[:5] == ["state", "convention", "kind", "reporting_year", "language"]
    assert "H.victims_recorded" in keys
    labels = {row[2].value: row[0].value for row in report.iter_rows(min_row=2)}
    assert labels["state"].endswith(" *")
    assert labels["convention"] == "Convention *"
    assert report.cell(_row(report, "convention"), 2).value == "CCM"
    several = [cell.value for cell in workbook["I Resources"][1] if cell.value]
    assert "International cooperation and assistance provided: Amount *" in several


def _row(sheet, key: str) -> int:
    return next(row[2].row for row in sheet.iter_rows(min_row=2) if row[2].value == key)


@pytest.mark.parametrize(("iso3", "convention"), [("LAO", "CCM"), ("KHM", "APMBC")])
def test_export_of_a_filled_report_reimports_to_the_identical_report(iso3, convention, isu_user):
    # given: every form of the schema filled, then exported
    report = _filled_report(iso3, convention)
    draft = services.current_draft(report)
    forms, contacts = draft.forms, _contacts(draft)
    assert forms["F" if convention == "CCM" else "C"]["tables"]["areas"][0]["cleared_m2"]
    data = report_xlsx.build_template(convention, draft)
    services.version_update(
        version=draft, forms={}, data={**dict.fromkeys(CONTACTS, ""), "language": "en"}
    )

    # when
    result = report_xlsx.import_report(data, user=isu_user)

    # then
    assert result.problems == []
    assert (result.written, result.created, result.report) == (True, False, report)
    draft.refresh_from_db()
    assert draft.forms == forms
    assert _contacts(draft) == contacts
    assert {row.action for row in result.rows} == {"add"}
    assert report_xlsx.build_template(convention, draft) != b""


def test_the_round_trip_keeps_text_decimals_and_arabic_exactly(isu_user):
    # given
    report = _filled_report("LAO", "CCM")
    draft = services.current_draft(report)
    data = report_xlsx.build_template("CCM", draft)
    report.delete()

    # when: the file creates the report anew
    result = report_xlsx.import_report(data, user=isu_user)

    # then
    assert result.problems == []
    assert result.created and result.written
    new = services.current_draft(result.report)
    assert new.forms == draft.forms
    assert new.created_by == isu_user
    values = set(_leaves(new.forms))
    assert {"1500.5", "0.25", "1234567.89", "12345678901234567.125"} <= values
    assert {
        "=SUM(A1:A2) is text, not a formula",
        "مخزونات الذخائر العنقودية في المنطقة الشمالية",
    } <= values
    assert {TEXTS[4], TEXTS[5]} <= values
    assert new.contact_name == "فاطمة الزهراء"
    assert new.forms["A"]["last_reported"] == 2018


def test_a_french_template_imports_the_same(isu_user):
    # given
    report = _filled_report("LAO", "CCM")
    draft = services.current_draft(report)
    forms = draft.forms
    english = load_workbook(io.BytesIO(report_xlsx.build_template("CCM", draft)))
    data = report_xlsx.build_template("CCM", draft, language="fr")
    french = load_workbook(io.BytesIO(data))
    services.version_update(version=draft, forms={})

    # when
    result = report_xlsx.import_report(data, user=isu_user)

    # then
    headers = [cell.value for cell in french["B Stockpiles"][1]]
    assert "Détenus au début de la période *" in headers
    assert headers != [cell.value for cell in english["B Stockpiles"][1]]
    assert [c.value for c in french["B Stockpiles"][2]] == [
        c.value for c in english["B Stockpiles"][2]
    ]
    assert result.problems == []
    draft.refresh_from_db()
    assert draft.forms == forms


def test_every_problem_is_reported_with_sheet_cell_and_field_and_nothing_is_written(isu_user):
    # given: a filled draft exported, then broken in several places
    report = _filled_report("LAO", "CCM")
    data = report_xlsx.build_template("CCM", services.current_draft(report))
    email = _report_row(data, "contact_email")
    status = _report_row(data, "F.status")
    victims = _report_row(data, "H.victims_recorded")
    broken = _edit(
        data,
        {
            ("B Stockpiles", "B4"): "ten",  # stockpiles.held, second row
            ("B Stockpiles", "D3"): None,  # stockpiles.remaining is mandatory
            ("F Contamination", "B3"): 1890,  # areas.year
            ("Needs", "F5"): None,  # currency, required with a budget
            ("A Measures", "C3"): "yesterday",  # measures.adopted_on
            ("Report", f"B{email}"): "not-an-email",
            ("Report", f"B{status}"): "maybe",
            ("Report", f"B{victims}"): -3,
        },
    )
    before = _snapshot()

    # when
    result = report_xlsx.import_report(broken, user=isu_user)

    # then
    found = {(p.sheet, p.cell, p.field) for p in result.problems}
    assert found == {
        ("B Stockpiles", "B4", "stockpiles.held"),
        ("B Stockpiles", "D3", "stockpiles.remaining"),
        ("F Contamination", "B3", "areas.year"),
        ("Needs", "F5", "needs.currency"),
        ("A Measures", "C3", "measures.adopted_on"),
        ("Report", f"B{email}", "contact_email"),
        ("Report", f"B{status}", "F.status"),
        ("Report", f"B{victims}", "H.victims_recorded"),
    }
    messages = {p.field: p.message for p in result.problems}
    assert messages["stockpiles.held"] == "Enter a whole number."
    assert messages["needs.currency"] == "Required when budget_required is given."
    paths = {p.field: p.path for p in result.problems}
    assert paths["stockpiles.held"] == "forms.B.tables.stockpiles[2].held"
    assert not result.written
    assert _snapshot() == before


def test_a_blank_template_names_each_missing_mandatory_cell(isu_user):
    # given
    data = report_xlsx.build_template("CCM")
    before = _snapshot()

    # when
    result = report_xlsx.import_report(data, user=isu_user)

    # then
    cells = {p.field: p.cell for p in result.problems}
    assert set(cells) == {"state", "kind", "reporting_year"}
    assert cells["state"] == f"B{_report_row(data, 'state')}"
    assert {p.message for p in result.problems} == {"This field is required."}
    assert result.report is None and not result.written
    assert _snapshot() == before


def test_a_template_with_the_identity_only_starts_the_report(isu_user):
    # given
    lao = State.objects.get(iso3="LAO")
    data = report_xlsx.build_template("CCM")
    data = _edit(
        data,
        {
            ("Report", f"B{_report_row(data, 'state')}"): "lao",
            ("Report", f"B{_report_row(data, 'kind')}"): "annual",
            ("Report", f"B{_report_row(data, 'reporting_year')}"): 2021,
            ("Report", f"B{_report_row(data, 'convention')}"): "CCM",
        },
    )

    # when
    result = report_xlsx.import_report(data, user=isu_user)

    # then
    assert result.problems == [] and result.created
    assert (result.report.state, result.report.reporting_year) == (lao, 2021)
    assert services.current_draft(result.report).forms == {}


def test_each_row_says_whether_it_adds_updates_or_removes(isu_user):
    # given: a draft with three stockpile rows and three area rows
    report = _filled_report("LAO", "CCM")
    draft = services.current_draft(report)
    data = report_xlsx.build_template("CCM", draft)
    workbook = load_workbook(io.BytesIO(data))
    stockpiles = workbook["B Stockpiles"]
    for column, value in enumerate(("BLU-63", 5, 1, 4, 400), start=1):
        stockpiles.cell(6, column, value)  # a fourth row
    stockpiles["B3"] = 999  # the first row changes
    workbook["F Contamination"].delete_rows(4, 2)  # keep the first of three rows
    buffer = io.BytesIO()
    workbook.save(buffer)

    # when
    result = report_xlsx.import_report(buffer.getvalue(), user=isu_user)

    # then
    assert result.problems == []
    actions = [
        (r.sheet, r.row, r.position, r.action, r.changed)
        for r in result.rows
        if r.table in {"stockpiles", "areas"}
    ]
    assert actions == [
        ("B Stockpiles", 3, 1, "update", True),
        ("B Stockpiles", 4, 2, "update", False),
        ("B Stockpiles", 5, 3, "update", False),
        ("B Stockpiles", 6, 4, "add", True),
        ("F Contamination", 3, 1, "update", False),
        ("F Contamination", 0, 2, "remove", True),
        ("F Contamination", 0, 3, "remove", True),
    ]
    draft.refresh_from_db()
    assert len(draft.forms["B"]["tables"]["stockpiles"]) == 4
    assert draft.forms["B"]["tables"]["stockpiles"][0]["held"] == 999
    assert len(draft.forms["F"]["tables"]["areas"]) == 1


def test_rows_are_reported_even_when_the_file_has_problems(isu_user):
    # given
    report = _filled_report("LAO", "CCM")
    data = report_xlsx.build_template("CCM", services.current_draft(report))
    data = _edit(data, {("B Stockpiles", "A6"): "BLU-63", ("B Stockpiles", "B6"): "x"})

    # when
    result = report_xlsx.import_report(data, user=isu_user)

    # then
    assert not result.written
    assert ("B Stockpiles", 6, "add") in {(r.sheet, r.row, r.action) for r in result.rows}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("APMBC", "This file is the CCM template: it cannot hold a APMBC report."),
        ("CWC", "Unknown convention “CWC”: use CCM or APMBC."),
    ],
)
def test_a_convention_other_than_the_templates_is_refused(value, message, isu_user):
    # given
    report = _filled_report("LAO", "CCM")
    data = report_xlsx.build_template("CCM", services.current_draft(report))
    row = _report_row(data, "convention")
    before = _snapshot()

    # when
    result = report_xlsx.import_report(_edit(data, {("Report", f"B{row}"): value}), user=isu_user)

    # then
    assert [(p.sheet, p.cell, p.field) for p in result.problems] == [
        ("Report", f"B{row}", "convention")
    ]
    assert result.problems[0].message.startswith(message)
    assert _snapshot() == before


def test_a_file_for_another_convention_than_the_report_is_refused(isu_user):
    # given
    apmbc = _filled_report("KHM", "APMBC")
    ccm = _filled_report("LAO", "CCM")
    data = report_xlsx.build_template("CCM", services.current_draft(ccm))

    # when
    result = report_xlsx.import_report(data, user=isu_user, report=apmbc)

    # then
    fields = {p.field for p in result.problems}
    assert {"state", "convention"} <= fields
    assert not result.written


def test_an_unknown_state_or_a_non_party_is_named(isu_user):
    # given
    data = report_xlsx.build_template("CCM")
    data = _edit(
        data,
        {
            ("Report", f"B{_report_row(data, 'state')}"): "USA",
            ("Report", f"B{_report_row(data, 'kind')}"): "annual",
            ("Report", f"B{_report_row(data, 'reporting_year')}"): 2020,
        },
    )
    unknown = _edit(data, {("Report", f"B{_report_row(data, 'state')}"): "XXX"})

    # when
    non_party = report_xlsx.import_report(data, user=isu_user)
    stranger = report_xlsx.import_report(unknown, user=isu_user)

    # then
    assert [p.message for p in non_party.problems] == ["USA is not a State Party of the CCM."]
    assert [p.message for p in stranger.problems] == ["Unknown state code “XXX”."]


RELS = (
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/officeDocument"/></Relationships>'
)


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "start"),
    [
        (random.Random(3).randbytes(5000), "This file is not an XLSX workbook."),
        (b"", "The file is empty."),
        (b"state,convention\nLAO,CCM\n", "This file is not an XLSX workbook."),
        (_zip({"hello.txt": b"hello"}), "This file is not an XLSX workbook."),
        (
            _zip(
                {"[Content_Types].xml": b"<Types/>", "_rels/.rels": RELS, "xl/workbook.xml": b"<x"}
            ),
            "The workbook could not be read",
        ),
        (
            _zip(
                {
                    "[Content_Types].xml": b"<Types/>",
                    "_rels/.rels": RELS,
                    "xl/workbook.xml": b"<a/>",
                }
            ),
            "This file is not an XLSX workbook.",
        ),
    ],
    ids=["random-bytes", "empty", "csv", "zip-not-xlsx", "broken-xml", "other-office-file"],
)
def test_a_file_that_is_not_an_xlsx_workbook_is_refused_with_a_problem(data, start, isu_user):
    # given
    before = _snapshot()

    # when
    result = report_xlsx.import_report(data, user=isu_user)

    # then
    assert len(result.problems) == 1
    assert result.problems[0].message.startswith(start)
    assert not result.written and result.rows == []
    assert _snapshot() == before


def test_another_workbook_is_not_taken_for_a_template(isu_user):
    # given
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)

    # when
    result = report_xlsx.import_report(buffer.getvalue(), user=isu_user)

    # then
    assert len(result.problems) == 1
    assert "not an icahub Article 7 report template" in result.problems[0].message


def test_a_sheet_with_more_than_ten_thousand_rows_is_refused(isu_user):
    # given
    report = _filled_report("LAO", "CCM")
    data = report_xlsx.build_template("CCM", services.current_draft(report))
    huge = _edit(data, {("B Stockpiles", "A10003"): "M26"})
    before = _snapshot()

    # when
    result = report_xlsx.import_report(huge, user=isu_user)

    # then
    assert [(p.sheet, p.message) for p in result.problems] == [
        ("B Stockpiles", "The sheet has more than 10,000 rows.")
    ]
    assert _snapshot() == before


def test_a_submitted_report_is_never_edited_in_place_amend_first(isu_user):
    # given
    report = _filled_report("LAO", "CCM")
    data = report_xlsx.build_template("CCM", services.current_draft(report))
    submitted = services.report_submit(
        report=report, user=isu_user, submitted_on=dt.date(2021, 4, 1)
    )
    forms = submitted.forms
    before = _snapshot()

    # when
    refused = report_xlsx.import_report(data, user=isu_user)

    # then
    assert [(p.sheet, p.field) for p in refused.problems] == [("Report", "status")]
    assert "amend the report first" in refused.problems[0].message
    assert refused.report == report and not refused.written
    assert _snapshot() == before
    submitted.refresh_from_db()
    assert submitted.forms == forms

    # when: amended, the same file fills the new draft
    services.report_amend(report=report, user=isu_user)
    amended = report_xlsx.import_report(data, user=isu_user, report=report)

    # then
    assert amended.problems == [] and amended.written
    assert services.current_draft(report).number == 2


def test_numbers_and_dates_typed_as_text_import_like_typed_numbers(isu_user):
    # given: cells a person typed as text rather than as numbers or dates
    report = _filled_report("LAO", "CCM")
    data = report_xlsx.build_template("CCM", services.current_draft(report))
    data = _edit(
        data,
        {
            ("F Contamination", "B3"): " 2019 ",
            ("F Contamination", "C3"): "1500.50",
            ("F Contamination", "D3"): 12.0,
            ("A Measures", "C3"): "2020-02-29",
            ("Report", f"B{_report_row(data, 'kind')}"): "Annual",
        },
    )

    # when
    result = report_xlsx.import_report(data, user=isu_user)

    # then
    assert result.problems == []
    draft = services.current_draft(report)
    area = draft.forms["F"]["tables"]["areas"][0]
    assert (area["year"], area["contaminated_m2"], area["cleared_m2"]) == (2019, "1500.5", "12")
    assert draft.forms["A"]["tables"]["measures"][0]["adopted_on"] == "2020-02-29"


def _libreoffice_resave(data: bytes, folder) -> bytes:
    """The workbook opened and saved again by LibreOffice Calc (shared strings, its own
    styles and parts): skipped where Calc is not installed."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    (folder / "in").mkdir()
    (folder / "in" / "report.xlsx").write_bytes(data)
    subprocess.run(  # noqa: S603 - fixed arguments, our own file
        [
            soffice,
            f"-env:UserInstallation=file://{folder}/profile",
            "--headless",
            "--calc",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(folder / "out"),
            str(folder / "in" / "report.xlsx"),
        ],
        capture_output=True,
        timeout=180,
        check=False,
    )
    saved = folder / "out" / "report.xlsx"
    if not saved.exists():
        pytest.skip("LibreOffice Calc could not convert the workbook")
    return saved.read_bytes()


def _lf(value):
    """Line ends as a spreadsheet program keeps them (it turns CR LF into LF)."""
    if isinstance(value, dict):
        return {key: _lf(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_lf(inner) for inner in value]
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def test_a_workbook_saved_again_by_libreoffice_imports_the_same(isu_user, tmp_path):
    # given
    report = _filled_report("KHM", "APMBC")
    draft = services.current_draft(report)
    forms, contacts = draft.forms, _contacts(draft)
    data = _libreoffice_resave(report_xlsx.build_template("APMBC", draft), tmp_path)
    services.version_update(version=draft, forms={})

    # when
    result = report_xlsx.import_report(data, user=isu_user)

    # then
    assert result.problems == []
    draft.refresh_from_db()
    assert draft.forms == _lf(forms)
    assert _contacts(draft) == contacts


def test_permit_is_asked_about_the_report_the_file_names(lao_focal_point, lbn_focal_point):
    # given: a file for a Lao report
    report = _filled_report("LAO", "CCM")
    data = report_xlsx.build_template("CCM", services.current_draft(report))
    report.delete()
    before = _snapshot()

    def permit_for(user):
        return lambda probe: user.has_perm("reports.add_report", probe)

    # when
    refused = report_xlsx.import_report(
        data, user=lbn_focal_point, permit=permit_for(lbn_focal_point)
    )

    # then
    assert [(p.field, p.message) for p in refused.problems] == [
        ("state", "Your account may not write the reports of LAO.")
    ]
    assert _snapshot() == before

    # when: the state's own focal point imports it
    allowed = report_xlsx.import_report(
        data, user=lao_focal_point, permit=permit_for(lao_focal_point)
    )

    # then
    assert allowed.problems == [] and allowed.created
