"""Hostile text in every form and API write: never a 500, NUL refused with a message, and
text that is accepted is stored and shown exactly as it was typed (escaped in pages).

The writes are the access table's (icahub/web/tests/test_access.py): every POST and PATCH
it walks with a role that succeeds, on the same records. Their text fields are found, not
listed: a page's ``<input type=text>`` and ``<textarea>`` elements, an API operation's string
properties in the OpenAPI schema. So a new form or endpoint is covered as soon as the access
table walks it, and the guard tests below fail when a form class or an API write is not.

Hypothesis draws the text (scripts, attribute breakers, SQL, bidi and zero-width marks,
combining characters, emoji, very long strings, NUL); examples are bounded so the module
costs about a minute of CPU.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
from functools import cache
from html.parser import HTMLParser

import pytest
from django import forms
from django.apps import apps
from django.db import models, transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icahub.web.tests.test_access import TABLE, _login, current_version

pytestmark = pytest.mark.django_db

# Roles tried in this order: the first the table lets write is used.
WRITERS = ["superuser", "isu", "owner", "donor", "partner", "coordinator"]

# Few strings, each packing several kinds of hostility, so every write costs a handful of
# requests: a short one (fits the narrowest text field), a rich one, one past any
# max_length, and NUL (refused with 400 naming the field).
FIXED = [
    '"><script>window.__xss=1</script>\u202e\u200b',
    "'; DROP TABLE assistance_need; -- 1' OR '1'='1 {{ 7|add:7 }} {% now 'Y' %} ${7*7} "
    "' onmouseover='window.__xss=1' x=' </textarea><img src=x onerror=\"window.__xss=1\"> "
    "\u202eevil\u202c \u200f\u0645\u0631\u062d\u0628\u0627\u200e zero\u200bwidth\u200d\ufeff "
    "Z\u0351\u0358a\u0361\u0362l\u035cgo\u0300\u0301 "
    "\U0001f4a3\U0001f469\u200d\U0001f467 \u4e2d\u6587",
    "a" * 5000,
    "nul\x00byte",
]

HOSTILE_CHARACTERS = st.one_of(
    st.characters(codec="utf-8", exclude_categories=("Cs",)),
    st.sampled_from(list("<>\"'&;`/\\%{}$\u202e\u202d\u200f\u200e\u200b\u200d\ufeff\u0301\x00")),
)
HOSTILE = st.one_of(
    st.text(HOSTILE_CHARACTERS, min_size=1, max_size=40),
    st.builds(
        lambda text, times: text * times, st.text(min_size=1, max_size=8), st.integers(50, 900)
    ),
)

# Fields whose value is a code (ISO state, currency, language...): hostile text there would
# hide whether the free-text fields beside it are accepted, so they are left out of the
# free-text tests and get their own below (one code field at a time, the fixed corpus).
CODE_NAME = re.compile(r"(^|_)(state|states|convention|currency|countries|regions|language)$")


@cache
def _schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _api_text_fields(method: str, url: str) -> dict[str, int | None]:
    """The string properties (name -> maxLength) of an API operation's JSON body."""
    schema = _schema()
    path = url.split("?")[0]
    for template, operations in schema["paths"].items():
        if not _same_path(template, path) or method not in operations:
            continue
        body = operations[method].get("requestBody", {}).get("content", {})
        ref = body.get("application/json", {}).get("schema", {}).get("$ref")
        if not ref:
            return {}
        component = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
        return {
            name: spec.get("maxLength")
            for name, spec in component.get("properties", {}).items()
            if spec.get("type") == "string"
            and "format" not in spec
            and "enum" not in spec
            and not spec.get("readOnly")
        }
    raise AssertionError(f"{method.upper()} {url} is not in the OpenAPI schema")


class _Forms(HTMLParser):
    """The forms of a page: method, action, and each field's name, kind, value."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                {
                    "method": attrs.get("method", "get").lower(),
                    "action": attrs.get("action", ""),
                    "fields": [],
                }
            )
            return
        if not self.forms or "name" not in attrs:
            return
        fields = self.forms[-1]["fields"]
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            text = kind in {"text", "search", "tel"}
            limit = int(attrs["maxlength"]) if attrs.get("maxlength", "").isdigit() else None
            fields.append((attrs["name"], attrs.get("value", ""), text, limit))
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]
        elif tag == "select":
            self._select = [attrs["name"], None, None]
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select[2] is None and value:
                self._select[2] = value  # the first real choice, if none is selected
            if "selected" in attrs:
                self._select[1] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None and self.forms:
            self.forms[-1]["fields"].append((self._textarea[0], self._textarea[1], True, None))
            self._textarea = None
        elif tag == "select" and self._select is not None and self.forms:
            name, chosen, first = self._select
            value = chosen if chosen is not None else first
            if value is not None:
                self.forms[-1]["fields"].append((name, value, False, None))
            self._select = None


# Forms on every page that are not the page's own: the language switcher, sign-out, the
# header's search.
SITE_FORMS = re.compile(r"/i18n/|/logout/|/accounts/logout|/notifications/")


def _page_forms(page: str, url: str) -> list[dict]:
    """The page's own forms with a text field, those that post first."""
    parser = _Forms()
    parser.feed(page)
    found = []
    for form in parser.forms:
        if form["method"] not in {"post", "get"} or SITE_FORMS.search(form["action"]):
            continue
        if not any(text for _, _, text, _ in form["fields"]):
            continue
        form["action"] = form["action"] or url.split("?")[0]
        found.append(form)
    return sorted(found, key=lambda form: form["method"] != "post")


def _page_cases():
    """Each page of the access table that shows a form, with a role that may see it."""
    for method, url, _body, expected in TABLE:
        if method != "get" or "format=" in url or "/api/" in url or "/download/" in url:
            continue
        role = next((r for r in WRITERS if expected[r] == 200), None)
        if role is not None:
            yield pytest.param(url, role, id=url)


def _api_cases():
    """Every POST and PATCH of the API schema, with the access table's body and role."""
    table = {}
    for method, url, body, expected in TABLE:
        if method in {"post", "patch"} and url.startswith("/api/"):
            role = next((r for r in WRITERS if expected[r] < 400), None)
            if role is not None:
                table[(method, _template_of(url))] = (url, body, role)
    for template, operations in _schema()["paths"].items():
        for method in ("post", "patch"):
            if method not in operations:
                continue
            url, body, role = table.get(
                (method, template), (_url_of(template), API_BODIES.get(template, {}), "superuser")
            )
            yield pytest.param(method, url, body, role, id=f"{method}-{template}")


# The record an API path's identifier points at, by the segment before it.
SEGMENT_IDS = {
    "needs": "need",
    "offers": "offer",
    "flows": "flow",
    "coalitions": "coalition",
    "meetings": "coalition_meeting",
    "members": "coalition_member",
    "invitations": "coalition_invitation",
    "obligations": "lao",
    "reports": "draft",
    "relays": "sent",
    "follow-ups": "follow_up",
    "notifications": "notification",
}
# Bodies for the API writes the access table does not post (it walks them with GET).
API_BODIES = {
    "/api/v1/coalitions/{id}/objectives/": {"title": "Clear"},
    "/api/v1/coalitions/{id}/meetings/": {"title": "Review", "starts_at": "2026-04-01T09:00:00Z"},
    "/api/v1/coalitions/{id}/commitments/": {
        "member": "{coalition_member}",
        "need": "{need}",
        "amount": "100",
        "currency": "USD",
        "value_date": "2026-02-01",
    },
}


def _url_of(template: str) -> str:
    parts = template.strip("/").split("/")
    out = []
    for index, part in enumerate(parts):
        if part.startswith("{"):
            key = "coalition_invitation" if parts[index - 1] == "invitations" else None
            out.append("{" + (key or SEGMENT_IDS[parts[index - 1]]) + "}")
        else:
            out.append(part)
    return "/" + "/".join(out) + "/"


def _same_path(template: str, path: str) -> bool:
    ours, theirs = template.strip("/").split("/"), path.strip("/").split("/")
    return len(ours) == len(theirs) and all(
        a.startswith("{") or a == b for a, b in zip(ours, theirs, strict=True)
    )


def _template_of(url: str) -> str:
    return next((t for t in _schema()["paths"] if _same_path(t, url.split("?")[0])), url)


from icahub.web.tests.test_access import records  # noqa: E402, F401  (the table's records)


def _fill(template, ids):
    if isinstance(template, current_version):
        return template.resolve(ids)
    if isinstance(template, str):
        return template.format(**ids)
    if isinstance(template, list):
        return [_fill(item, ids) for item in template]
    if isinstance(template, dict):
        return {key: _fill(value, ids) for key, value in template.items()}
    return template


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


@cache
def _text_columns():
    """Models that record when they changed, with their text and JSON columns."""
    found = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.fields}
        if not model.__module__.startswith("icahub.") or "updated_at" not in names:
            continue
        columns = [
            f.name
            for f in model._meta.fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if columns:
            found.append((model, columns))
    return found


def _stored_since(moment) -> set[str]:
    values = set()
    for model, columns in _text_columns():
        for row in model.objects.filter(updated_at__gte=moment).values_list(*columns):
            values.update(_strings(row))
    return values


PLAIN = "Plain text, é ü – 2026"
LAST: dict[str, str] = {}


def _attempt(client, method, target, body, fields, text, strict=True) -> bool:
    """Send ``text`` in every field of ``fields``; check what must hold; True if accepted."""
    moment = timezone.now()
    filled = {**body, **dict.fromkeys(fields, text)}
    api = target.startswith("/api/")
    if api:
        send = client.post if method == "post" else client.patch
        response = send(target, json.dumps(filled), content_type="application/json")
    elif method == "get":
        response = client.get(target, filled)
    else:
        response = client.post(target, filled)
    content = response.content.decode("utf-8", "replace")

    # then never a server error
    assert response.status_code < 500, (text, content[:800])
    LAST["response"] = f"{response.status_code} {content[:600]}"
    if response.status_code == 429:  # the token endpoint's throttle
        return False
    if method == "get":
        return response.status_code == 200
    if "\x00" in text:
        # NUL is refused, with a message naming it
        assert response.status_code in {200, 400}, content[:300]
        assert "Null characters are not allowed" in content, content[:800]
        return False
    accepted = response.status_code in {200, 201} if api else response.status_code == 302
    if not accepted and target not in NEVER_ACCEPTS:
        # refused text gets a clear error naming one of the fields it was typed into
        _assert_names_a_field(response, content, fields, api, strict)
        return False
    expected = text.strip()  # forms and serializers trim surrounding white space, no more
    if not accepted or not expected:
        return accepted
    # and what was accepted is stored unchanged...
    assert expected in _stored_since(moment), f"{expected[:80]!r} not stored by {target}"
    if api:
        # ...and the API gives it back unchanged
        output = response.json()
        if isinstance(output, dict) and any(field in output for field in fields):
            assert expected in set(_strings(output)), f"{expected[:80]!r} not in the answer"
    else:
        # ...and the page it leads to shows it as text, never as markup
        page = client.get(response["Location"]).content.decode()
        if "__xss" in expected:
            assert expected not in page
    return accepted


def _assert_names_a_field(response, content, fields, api, strict) -> None:
    """The refusal names a field; ``strict``: one of ``fields`` (the write accepted plain
    text in them, so the hostile text is what was refused)."""
    if api:
        assert response.status_code == 400, content[:800]
        errors = response.json()
        assert isinstance(errors, dict) and set(errors) & set(fields), content[:800]
    else:
        # the form again (some pages answer 400), with the error summary (ui.md)
        assert response.status_code in {200, 400}, content[:800]
        summary = content[content.find('class="error-summary"') :]
        summary = summary[: summary.find("</div>")]
        assert 'class="error-summary"' in content, content[content.find("<main") :][:1500]
        if strict:
            assert any(f'href="#id_{name}"' in summary for name in fields), (fields, summary)
        else:  # the page's own values may not be enough (a choice it does not preselect)
            assert 'href="#id_' in summary or "<li>" in summary, summary


# Writes that refuse any text by design, so plain text is not expected to be accepted.
NEVER_ACCEPTS = {
    "/api/v1/auth/token/": "a username and password that match no account",
}


def _run(client, role, method, target, body, fields, examples: int = 2):
    """The plain text first (an API write must accept it: else the case tests nothing; a
    page's form may be a search or need values the page does not preselect), then the fixed
    corpus, then Hypothesis' examples; each in a rolled-back transaction."""

    def once(text, strict=True):
        with transaction.atomic():
            _login(client, role)
            try:
                return _attempt(client, method, target, body, fields, text, strict)
            finally:
                transaction.set_rollback(True)

    if target.startswith("/api/") and target not in NEVER_ACCEPTS:
        assert once(PLAIN), f"{method.upper()} {target} refuses plain text: {LAST['response']}"
        strict = True
    else:
        strict = once(PLAIN, strict=False)
    for text in FIXED:
        once(text, strict)

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(text=HOSTILE)
    def drawn(text):
        once(text, strict)

    drawn()


@pytest.mark.parametrize(("method", "url", "body", "role"), list(_api_cases()))
def test_hostile_text_in_every_api_write(method, url, body, role, records, settings):  # noqa: F811
    table = records
    # given a user who may write here, and the table's body for this endpoint
    settings.COALITION_DOCUMENTS_ROOT = table["documents"]
    ids = table["ids"]
    target = url.format(**ids)
    fields = [name for name in _api_text_fields(method, target) if not CODE_NAME.search(name)]
    if not fields:
        pytest.skip("no free-text field in this operation")

    # when hostile text is sent in every free-text field: see _attempt for the checks
    _run(Client(), role, method, target, _fill(body or {}, ids), fields)


def _forms_on(client, role, target):
    with transaction.atomic():
        _login(client, role)
        response = client.get(target)
        transaction.set_rollback(True)
    assert response.status_code == 200, target
    if not response["Content-Type"].startswith("text/html"):
        return []  # a download (XLSX, PDF, CSV)
    return _page_forms(response.content.decode(), target)


@pytest.mark.parametrize(("url", "role"), list(_page_cases()))
def test_hostile_text_in_every_page_form(url, role, records, settings):  # noqa: F811
    table = records
    # given a page of the site and a user who may use its forms
    settings.COALITION_DOCUMENTS_ROOT = table["documents"]
    client = Client()
    target = url.format(**table["ids"])
    found = _forms_on(client, role, target)
    if not found:
        pytest.skip("no form with a text field")

    for form in found:
        # when each form is sent with its own values and hostile text in its text fields
        fields = [
            name for name, _, text, _ in form["fields"] if text and not CODE_NAME.search(name)
        ]
        body = {name: value for name, value, _, _ in form["fields"]}
        _run(client, role, form["method"], form["action"], body, fields)


def _run_codes(client, role, method, target, body, codes):
    """Hostile text in one code field at a time, the others as the table or page has them:
    never a 500, and a refusal names that field (or the text is stored unchanged)."""
    for name in codes:
        for text in FIXED:
            with transaction.atomic():
                _login(client, role)
                try:
                    _attempt(client, method, target, body, [name], text, strict=True)
                finally:
                    transaction.set_rollback(True)


@pytest.mark.parametrize(("method", "url", "body", "role"), list(_api_cases()))
def test_hostile_text_in_every_api_code_field(method, url, body, role, records, settings):  # noqa: F811
    # given a user who may write here, and the table's body for this endpoint
    settings.COALITION_DOCUMENTS_ROOT = records["documents"]
    ids = records["ids"]
    target = url.format(**ids)
    codes = [name for name in _api_text_fields(method, target) if CODE_NAME.search(name)]
    if not codes or target in NEVER_ACCEPTS:
        pytest.skip("no code field in this operation")

    # when hostile text is sent as a state, convention, currency or language code
    _run_codes(Client(), role, method, target, _fill(body or {}, ids), codes)


@pytest.mark.parametrize(("url", "role"), list(_page_cases()))
def test_hostile_text_in_every_page_code_field(url, role, records, settings):  # noqa: F811
    # given a page of the site and a user who may use its forms
    settings.COALITION_DOCUMENTS_ROOT = records["documents"]
    client = Client()
    target = url.format(**records["ids"])
    found = [
        form
        for form in _forms_on(client, role, target)
        if any(CODE_NAME.search(name) for name, _, _, _ in form["fields"])
    ]
    if not found:
        pytest.skip("no form with a code field")

    for form in found:
        # when each form is sent with hostile text as its state, currency... (a list or a
        # text box alike: the browser is not what stops a hostile user)
        codes = [name for name, _, _, _ in form["fields"] if CODE_NAME.search(name)]
        body = {name: value for name, value, _, _ in form["fields"]}
        _run_codes(client, role, form["method"], form["action"], body, codes)


# --- guards: nothing escapes the tests above ----------------------------------------------


def _form_classes():
    import icahub

    for module in pkgutil.walk_packages(icahub.__path__, "icahub."):
        if not module.name.rsplit(".", 1)[-1].startswith("forms"):
            continue
        loaded = importlib.import_module(module.name)
        for value in vars(loaded).values():
            if (
                inspect.isclass(value)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == loaded.__name__
            ):
                yield value


def _typed_fields(form_class) -> set[str]:
    return {
        name
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.CharField)
        and type(field.widget) in {forms.TextInput, forms.Textarea}
    }


def test_every_form_with_a_text_field_is_on_a_page_the_test_fills(records, settings):  # noqa: F811
    table = records
    # given every form class of the project that has a field one types text into
    settings.COALITION_DOCUMENTS_ROOT = table["documents"]
    classes = {cls: _typed_fields(cls) for cls in _form_classes()}
    classes = {cls: names for cls, names in classes.items() if names}
    assert len(classes) > 20

    # when every page of the access table is opened by a role that sees it
    seen: list[set[str]] = []
    client = Client()
    for param in _page_cases():
        url, role = param.values
        target = url.format(**table["ids"])
        for form in _forms_on(client, role, target):
            # a form shown with a prefix ("contact-name") names its fields "prefix-field"
            seen.append({n.rsplit("-", 1)[-1] for n, _, text, _ in form["fields"] if text})

    # then each form's text fields are found together on one of them
    missing = [
        f"{cls.__module__}.{cls.__name__} {sorted(names)}"
        for cls, names in classes.items()
        if not any(names <= fields for fields in seen)
    ]
    assert missing == [], "forms no page of test_access.TABLE shows: add the page there"


def test_every_api_write_is_sent_hostile_text():
    # given every write operation of the API's schema
    writes = {
        (method, template)
        for template, operations in _schema()["paths"].items()
        for method in ("post", "patch", "put")
        if method in operations
    }

    # then the hostile-text test has a case for each (a new endpoint gets one by itself;
    # one whose identifier the test cannot fill fails here)
    cases = {(p.values[0], _template_of(p.values[1])) for p in _api_cases()}
    assert writes - cases == set()


# --- NUL where no text field looks: the address, filters, choices, free-form JSON -----------


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("/states/LA%00O/", "the web address"),
        ("/assistance/needs/?state=LA%00O", "state"),
        ("/api/v1/needs/?state=LA%00O", "state"),
        ("/api/v1/states/LA%00O/", "the web address"),
        ("/funding/?giver=%00", "giver"),
    ],
)
def test_a_nul_in_the_address_or_a_filter_is_refused_with_400(client, url, key):
    response = client.get(url)

    assert response.status_code == 400
    content = response.content.decode()
    assert "Null characters are not allowed" in content and key in content


def test_a_nul_in_a_choice_of_a_page_form_is_refused_with_400(client, isu_user):
    client.force_login(isu_user)

    response = client.post(
        "/assistance/needs/new/", {"state": "LA\x00O", "convention": "CCM", "title": "Survey"}
    )

    assert response.status_code == 400
    assert "Null characters are not allowed (in state)" in response.content.decode()


def test_a_nul_deep_in_a_json_body_is_refused_naming_the_field(client, isu_user):
    # given a draft report and the ISU
    from icahub.registry.models import Convention, State
    from icahub.reports import services

    report = services.report_start(
        state=State.objects.get(iso3="LAO"),
        convention=Convention.objects.get(code="CCM"),
        kind="annual",
        reporting_year=2021,
    )
    client.force_login(isu_user)

    # when a NUL hides in a form's narrative, or in a key
    for forms_value in ({"B": {"narrative": "ok\x00"}}, {"B\x00": {}}):
        response = client.patch(
            f"/api/v1/reports/{report.pk}/",
            json.dumps({"forms": forms_value}),
            content_type="application/json",
        )

        # then 400 names the top-level field and says where
        assert response.status_code == 400
        [message] = response.json()["forms"]
        assert message.startswith("Null characters are not allowed (in forms.B")
