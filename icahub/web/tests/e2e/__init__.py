"""Browser tests: a real server on its own database, driven by the system Chromium, with
axe-core checking every page visited. Run them alone with ``pytest -m e2e``."""
