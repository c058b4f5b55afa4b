"""Page forms for editing a report's draft, built from the one forms schema.

Each Article 7 form is one step of a task list. A step's Django form carries the cover
mark, the narrative and the scalar fields; each of the form's tables is a formset whose
blank rows are ignored. Values are taken as typed and validated by
``forms_schema.clean_forms`` (the same rules as the API and the XLSX import); its problems
are put back beside the field and row they concern.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from icahub.reports import forms_schema
from icahub.reports.forms_schema import FORM_STATUS_LABELS, Field, Form, Problem, Table

EXTRA_ROWS = 3


def _input(spec: Field, *, required: bool) -> forms.Field:
    label = spec.label
    if spec.kind == "choice":
        return forms.ChoiceField(
            label=label,
            required=False,
            choices=[("", "—"), *[(c, c.replace("_", " ")) for c in spec.choices]],
        )
    widget_attrs = {}
    if spec.kind in {"int", "year"}:
        widget_attrs = {"inputmode": "numeric"}
    elif spec.kind == "decimal":
        widget_attrs = {"inputmode": "decimal"}
    elif spec.kind == "date":
        return forms.CharField(
            label=label,
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}),
        )
    elif spec.kind == "currency":
        widget_attrs = {"size": 4, "maxlength": 3, "autocapitalize": "characters"}
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.TextInput(attrs=widget_attrs),
        help_text=_("Required") if required else "",
    )


def step_form_class(form: Form) -> type[forms.Form]:
    fields: dict[str, forms.Field] = {}
    if not form.voluntary:
        fields["status"] = forms.ChoiceField(
            label=_("This form is"),
            choices=list(FORM_STATUS_LABELS.items()),
            widget=forms.RadioSelect,
        )
    fields["narrative"] = forms.CharField(
        label=_("Narrative"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Explain the figures, or why the form does not apply."),
    )
    for spec in form.fields:
        fields[f"field_{spec.key}"] = _input(spec, required=spec.required)
    return type(f"Step{form.key}Form", (forms.Form,), fields)


def table_formset_class(table: Table) -> type[forms.BaseFormSet]:
    row_class = type(
        f"{table.key.title()}RowForm",
        (forms.Form,),
        {spec.key: _input(spec, required=spec.required) for spec in table.columns},
    )
    return forms.formset_factory(row_class, extra=EXTRA_ROWS, can_delete=True)


def initial_for(form: Form, data: dict) -> tuple[dict, dict[str, list[dict]]]:
    initial = {"status": data.get("status", "changed"), "narrative": data.get("narrative", "")}
    for key, value in (data.get("fields") or {}).items():
        initial[f"field_{key}"] = value
    tables = {t.key: list((data.get("tables") or {}).get(t.key, [])) for t in form.tables}
    return initial, tables


class Step:
    """One form's page: the step form and a formset per table, bound or not."""

    def __init__(self, form: Form, data: dict, post=None):
        self.form = form
        initial, tables = initial_for(form, data)
        self.main = step_form_class(form)(post, initial=initial, prefix="form")
        self.tables = [
            (table, table_formset_class(table)(post, initial=tables[table.key], prefix=table.key))
            for table in form.tables
        ]
        self.last_reported = data.get("last_reported")
        # For each table, the formset index of each submitted (non-blank) row, so a
        # problem in row n of the cleaned data points at the right inputs.
        self._row_index: dict[str, list[int]] = {}

    def is_valid_shape(self) -> bool:
        return self.main.is_valid() and all(formset.is_valid() for _, formset in self.tables)

    def value(self) -> dict:
        """The form's data as the schema expects it (raw values; the schema cleans)."""
        cleaned = self.main.cleaned_data
        out: dict = {}
        if cleaned.get("status"):
            out["status"] = cleaned["status"]
        if cleaned.get("narrative"):
            out["narrative"] = cleaned["narrative"]
        if self.last_reported and cleaned.get("status") == "unchanged":
            out["last_reported"] = self.last_reported
        fields = {
            spec.key: cleaned.get(f"field_{spec.key}")
            for spec in self.form.fields
            if cleaned.get(f"field_{spec.key}") not in (None, "")
        }
        if fields:
            out["fields"] = fields
        tables = {}
        for table, formset in self.tables:
            rows, indexes = [], []
            for index, row_form in enumerate(formset.forms):
                row = {
                    key: value
                    for key, value in row_form.cleaned_data.items()
                    if key != "DELETE" and value not in (None, "")
                }
                if row and not row_form.cleaned_data.get("DELETE"):
                    rows.append(row)
                    indexes.append(index)
            self._row_index[table.key] = indexes
            if rows:
                tables[table.key] = rows
        if tables:
            out["tables"] = tables
        return out

    def add_problems(self, problems: list[Problem]) -> None:
        for problem in problems:
            if problem.table:
                indexes = self._row_index.get(problem.table, [])
                formset = dict((t.key, f) for t, f in self.tables)[problem.table]
                if 0 < problem.row <= len(indexes):
                    row_form = formset.forms[indexes[problem.row - 1]]
                    row_form.add_error(
                        problem.field if problem.field in row_form.fields else None,
                        problem.message,
                    )
                    continue
            name = {"status": "status", "narrative": "narrative"}.get(
                problem.field, f"field_{problem.field}"
            )
            self.main.add_error(name if name in self.main.fields else None, problem.message)

    def all_errors(self) -> list[tuple[str, str, str]]:
        """(input id, label, message) for the error summary."""
        errors = []
        for name, messages in self.main.errors.items():
            bound = self.main[name] if name in self.main.fields else None
            for message in messages:
                errors.append(
                    (bound.id_for_label if bound else "", bound.label if bound else "", message)
                )
        for table, formset in self.tables:
            for number, row_form in enumerate(formset.forms, start=1):
                for name, messages in row_form.errors.items():
                    bound = row_form[name] if name in row_form.fields else None
                    for message in messages:
                        label = f"{table.label} — {bound.label if bound else ''} ({number})"
                        errors.append((bound.id_for_label if bound else "", label, message))
        return errors


def clean_with_step(convention: str, forms_data: dict, step: Step) -> tuple[dict, list[Problem]]:
    """Validate the whole report with this step's data in place; keep only this step's
    problems to show (the others are shown on their own steps and at submission)."""
    merged = dict(forms_data)
    value = step.value()
    if value:
        merged[step.form.key] = value
    else:
        merged.pop(step.form.key, None)
    cleaned, problems = forms_schema.clean_forms(convention, merged)
    return cleaned, [p for p in problems if p.form == step.form.key]
