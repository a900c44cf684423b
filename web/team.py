"""The team page's form: invite someone (a link to pass on), change a member's role, or remove a
member. Every refusal is a message beside its field (French, English with the English UI); nothing
is written then and the form shows back what was typed."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from sqlalchemy import delete, select

from . import store
from .authz import ROLE_TITLES, ROLES
from .models import Invitation, Membership, User
from .words import w

# One « @ » between a local part and a domain with a dot, no spaces: the address a person can receive
# the link at (the workspace sends no mail; a typing slip should be caught before the link is passed on).
ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


@dataclass
class TeamChange:
    """What the form did: an invitation link to pass on, or the refused fields and what was typed."""

    link: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)


def change_team(ctx, view, form) -> TeamChange:
    """Invite, change a role, or remove; the producer keeps the production (never their own role)."""
    email = str(form.get("email", "")).strip().lower()[:200]
    role = str(form.get("role", ""))
    done = TeamChange(values={"email": str(form.get("email", ""))[:200], "role": role})
    lang = ctx.lang
    if role not in ROLES and role != "remove":
        done.errors["role"] = w("role_unknown", lang)
    done.errors.update(_address_error(email, lang))
    if done.errors:
        return done
    user = ctx.db.scalar(select(User).where(User.email == email))
    if user is not None and user.id == ctx.user.id:
        done.errors["email"] = w("own_role", lang)
        return done
    membership = None if user is None else ctx.db.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.production_id == view.production.id))
    if role == "remove":
        if membership is None:
            done.errors["email"] = w("not_member", lang, email=email)
            return done
        ctx.db.execute(delete(Membership).where(Membership.user_id == user.id, Membership.production_id == view.production.id))
        store.append(ctx.db, view.production, ctx.user, [("team.removed", {"email": email})], None)
        return TeamChange()
    if membership is not None and membership.role == role:
        done.errors["email"] = w("already_member", lang, email=email, role=ROLE_TITLES[role][lang])
        return done
    if user is None:
        token = secrets.token_urlsafe(24)
        ctx.db.add(Invitation(token=token, production_id=view.production.id, email=email, role=role, created=store.now()))
        done = TeamChange(link=str(ctx.request.url_for("accept_invitation", token=token)))
    elif membership is None:
        ctx.db.add(Membership(user_id=user.id, production_id=view.production.id, role=role))
        done = TeamChange()
    else:
        membership.role = role
        done = TeamChange()
    store.append(ctx.db, view.production, ctx.user, [("team.role", {"email": email, "role": role})], None)
    return done


def _address_error(email: str, lang: str) -> dict[str, str]:
    if not email:
        return {"email": w("required", lang)}
    if "@" not in email:
        return {"email": w("address_no_at", lang)}
    if not ADDRESS.fullmatch(email):
        return {"email": w("address_bad", lang)}
    return {}


def account_errors(name: str, password: str, lang: str) -> dict[str, str]:
    """The invited person's own form: a name the team will see, a password of at least 10 characters."""
    errors = {}
    if not name:
        errors["name"] = w("required", lang)
    if len(password) < 10:
        errors["password"] = w("password_short", lang)
    return errors
