"""Who may see and change Article 7 reports.

Drafts are private to the reporting state's focal points and the ISU. Submitted versions are
seen by signed-in users of States Parties, coordinators and the ISU; published versions by
everyone.
"""

import rules

from icahub.accounts.permissions import is_coordinator, is_isu


@rules.predicate
def is_focal_point_of_report_state(user, report) -> bool:
    return bool(
        user.is_authenticated
        and user.role == "state_focal_point"
        and report is not None
        and user.state_id == report.state_id
    )


rules.add_perm("reports.add_report", is_isu | is_focal_point_of_report_state)
rules.add_perm("reports.change_report", is_isu | is_focal_point_of_report_state)
rules.add_perm("reports.submit_report", is_isu | is_focal_point_of_report_state)
rules.add_perm("reports.publish_report", is_isu)
rules.add_perm("reports.view_drafts", is_isu | is_focal_point_of_report_state)
rules.add_perm("reports.view_all_reports", is_isu | is_coordinator)
