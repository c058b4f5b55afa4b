"""Schedule a matching recompute when what it reads changes (see ``tasks.py``).

Changes within one transaction are gathered and sent as one task after the commit; a
rolled-back transaction sends nothing. Outside a transaction the task is sent at once.
"""

from __future__ import annotations

import logging

from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from icahub.assistance.models import Match, MatchingWeights, MatchSide, Need, Offer

logger = logging.getLogger(__name__)


def _flush() -> None:
    pending = getattr(connection, "_icahub_matching_pending", None)
    connection._icahub_matching_pending = None
    if not pending:
        return
    from icahub.assistance.tasks import recompute_matches

    try:
        recompute_matches.enqueue(
            need_ids=sorted(pending["need_ids"]),
            offer_ids=sorted(pending["offer_ids"]),
            flow_parties=sorted([list(party) for party in pending["flow_parties"]]),
            flow_areas=sorted(pending["flow_areas"]),
            everything=pending["everything"],
        )
    except Exception:  # the change is saved; the lists catch up at the next recompute
        logger.exception("could not schedule the matching recompute")


def schedule(
    *, need_ids=(), offer_ids=(), flow_parties=(), flow_areas=(), everything=False
) -> None:
    pending = getattr(connection, "_icahub_matching_pending", None)
    registered = connection.in_atomic_block and any(
        func is _flush for _sids, func, _robust in connection.run_on_commit
    )
    if pending is None or not registered:
        pending = {
            "need_ids": set(),
            "offer_ids": set(),
            "flow_parties": set(),
            "flow_areas": set(),
            "everything": False,
        }
        connection._icahub_matching_pending = pending
        if connection.in_atomic_block:
            transaction.on_commit(_flush)
    pending["need_ids"].update(need_ids)
    pending["offer_ids"].update(offer_ids)
    pending["flow_parties"].update(tuple(party) for party in flow_parties)
    pending["flow_areas"].update(flow_areas)
    pending["everything"] = pending["everything"] or everything
    if not connection.in_atomic_block:
        _flush()


@receiver(post_save, sender=Need, dispatch_uid="matching_need_saved")
def _need_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        schedule(need_ids=[instance.pk])


@receiver(pre_delete, sender=Need, dispatch_uid="matching_need_deleted")
def _need_deleted(sender, instance, **kwargs):
    offers = Match.objects.filter(side=MatchSide.OFFER, need=instance).values_list(
        "offer_id", flat=True
    )
    schedule(offer_ids=list(offers))


@receiver(post_save, sender=Offer, dispatch_uid="matching_offer_saved")
def _offer_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        schedule(offer_ids=[instance.pk])


@receiver(
    m2m_changed, sender=Offer.priority_countries.through, dispatch_uid="matching_offer_countries"
)
def _offer_countries(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, Offer):
        schedule(offer_ids=[instance.pk])


@receiver(pre_delete, sender=Offer, dispatch_uid="matching_offer_deleted")
def _offer_deleted(sender, instance, **kwargs):
    needs = Match.objects.filter(side=MatchSide.NEED, offer=instance).values_list(
        "need_id", flat=True
    )
    schedule(need_ids=list(needs))


@receiver(post_save, sender=MatchingWeights, dispatch_uid="matching_weights_saved")
def _weights_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        schedule(everything=True)


def _flow_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    parties = [
        ("state", instance.giver_state_id),
        ("organisation", instance.giver_organisation_id),
        ("state", instance.recipient_state_id),
        ("organisation", instance.recipient_organisation_id),
    ]
    if instance.need_id:
        state_id = Need.objects.filter(pk=instance.need_id).values_list("state_id", flat=True)
        parties += [("state", pk) for pk in state_id]
    schedule(
        flow_parties=[(kind, pk) for kind, pk in parties if pk],
        flow_areas=[instance.area] if instance.area else [],
    )


def connect_flow_signals() -> None:
    from icahub.funding.models import Flow

    post_save.connect(_flow_changed, sender=Flow, dispatch_uid="matching_flow_saved")
    post_delete.connect(_flow_changed, sender=Flow, dispatch_uid="matching_flow_deleted")
