"""Shared pytest fixtures: reference data loaded once per test database, users per role."""

from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real reference data (conventions, states, memberships, CCM obligations)
    once into each test database; every test then runs inside a rolled-back transaction."""
    with django_db_blocker.unblock():
        call_command("load_reference_data", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture(scope="session")
def _import_files_root(tmp_path_factory):
    return tmp_path_factory.mktemp("import-files")


@pytest.fixture(autouse=True)
def _english_and_no_lockout(settings, _import_files_root):
    settings.LANGUAGE_CODE = "en"
    settings.AXES_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Uploaded import files are kept out of the checkout.
    settings.IMPORT_FILES_ROOT = str(_import_files_root)
    # Background tasks run at once, inside the test's transaction.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _user(username: str, role: str = "", **extra):
    from icahub.accounts.models import User

    return User.objects.create_user(
        username=username, password="pw-for-tests-only", role=role, **extra
    )


@pytest.fixture
def isu_user(db):
    return _user("isu-test", "isu")


@pytest.fixture
def coordinator_user(db):
    return _user("coordinator-test", "coordinator")


@pytest.fixture
def lao_focal_point(db):
    from icahub.registry.models import State

    return _user("focal-lao-test", "state_focal_point", state=State.objects.get(iso3="LAO"))


@pytest.fixture
def lbn_focal_point(db):
    from icahub.registry.models import State

    return _user("focal-lbn-test", "state_focal_point", state=State.objects.get(iso3="LBN"))


@pytest.fixture
def donor_user(db):
    from icahub.registry.models import State

    return _user("donor-test", "donor_focal_point", state=State.objects.get(iso3="NOR"))


@pytest.fixture
def partner_user(db):
    from icahub.registry.models import Organisation

    return _user("partner-test", "partner", organisation=Organisation.objects.get(acronym="NPA"))


@pytest.fixture
def superuser(db):
    from icahub.accounts.models import User

    return User.objects.create_superuser("root-test", "root@example.org", "pw-for-tests-only")
