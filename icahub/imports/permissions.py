"""Who may follow an import job: the user who uploaded the file, and the ISU."""

from __future__ import annotations

import rules

from icahub.accounts.permissions import is_isu


@rules.predicate
def is_uploader(user, job) -> bool:
    return bool(job is not None and user.is_authenticated and job.created_by_id == user.pk)


rules.add_perm("imports.view_importjob", is_isu | is_uploader)
