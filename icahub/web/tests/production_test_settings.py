"""The production settings (config/settings.py, read from a production environment) with two
test-only changes that keep the production tests within seconds:

- static files are served by whitenoise straight from the apps' directories, without
  `collectstatic` (which compresses and hashes every file: minutes on a small machine);
- `migrate --run-syncdb` creates the tables from the models instead of running every
  migration.
"""

from config.settings import *  # noqa: F403
from config.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True


class _NoMigrations(dict):
    def __contains__(self, app_label):
        return True

    def __getitem__(self, app_label):
        return None


MIGRATION_MODULES = _NoMigrations()
