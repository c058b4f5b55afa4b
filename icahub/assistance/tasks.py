"""Background work of the assistance app (django-tasks): recomputing the matches.

Saving a need, an offer, a funding flow or the weights schedules one recompute for the
whole transaction, after it commits (``signals.py``); a worker (``manage.py db_worker``)
runs it. Arguments are plain lists so that the database backend can store them.
"""

from __future__ import annotations

import logging

from django_tasks import task

from icahub.assistance import matching

logger = logging.getLogger(__name__)


@task()
def recompute_matches(
    need_ids: list[int] | None = None,
    offer_ids: list[int] | None = None,
    flow_parties: list[list] | None = None,
    flow_areas: list[str] | None = None,
    everything: bool = False,
) -> dict:
    if everything:
        result = matching.recompute_all()
    else:
        result = matching.recompute(
            need_ids=need_ids or (),
            offer_ids=offer_ids or (),
            flow_parties=[tuple(party) for party in flow_parties or ()],
            flow_areas=flow_areas or (),
        )
    logger.info(
        "matches recomputed: %s needs, %s offers, %s rows", result.needs, result.offers, result.rows
    )
    return {"needs": result.needs, "offers": result.offers, "rows": result.rows}
