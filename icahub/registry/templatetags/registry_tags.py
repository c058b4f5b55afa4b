import datetime as dt

from django import template

from icahub.registry.models import Membership, MembershipStatus

register = template.Library()


@register.filter
def status_on(membership: Membership, on: dt.date | None) -> str:
    """The membership's derived status on a date (today when none is given)."""
    return membership.status_on(on)


@register.filter
def membership_status_label(status: str) -> str:
    return str(MembershipStatus(status).label)
