"""The relays section of a need's page (included in assistance/need_detail.html)."""

from __future__ import annotations

from django import template

from icahub.relays import selectors
from icahub.relays.views import decorate

register = template.Library()


@register.inclusion_tag("relays/need_relays_section.html", takes_context=True)
def need_relays(context, need):
    """Every relay of ``need`` the user may see, each with the answers they may see, and
    whether they may relay it."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    relays = [decorate(r, user) for r in selectors.relay_list(user=user, need=need)]
    can_relay = user.has_perm("relays.add_relay", need)
    return {
        "show": bool(relays) or can_relay,
        "relays": relays,
        "need": need,
        "can_relay": can_relay and need.status in ("open", "partly_met"),
    }


@register.filter
def get_item(mapping: dict, key: str):
    """``mapping[key]`` in a template (the report's measures are named by key)."""
    return mapping.get(key)
