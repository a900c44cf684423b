"""Who may do what on a production: the whole matrix, role × action, declared once and enforced on
the server (`require`). The auditor is external: it reviews evidence, writes findings and signs off,
and never edits facts or evidence; the producer owns the production and manages its team.

The shooting journal (set events, alerts): the production's people on set log what happens and answer
the alerts (the producer as employer, the coordinator for the régie, the VHSS referent, who receives
reports and watches minors and intimacy scenes). The auditor never does: the journal is evidence it
judges, and an acknowledgement becomes an item of the register (JOURNAL-ACK-…) it reviews; the viewer
only reads."""

from __future__ import annotations

ROLES = ("producer", "coordinator", "vhss_referent", "auditor", "viewer")

ACTIONS = (
    "view",             # every page of the production, its history and past states, downloads
    "edit_facts",       # set or clear a fact, answer the interview
    "manage_evidence",  # register, replace or remove a piece of evidence
    "declare",          # declare a criterion not applicable or declined
    "review",           # accept or reject a piece of evidence with a reason
    "finding",          # write an audit finding
    "close_finding",    # close an audit finding, with a comment (`raccord audit finding close`)
    "sign_off",         # sign the audit off
    "manage_team",      # invite people, assign and remove roles
    "import",           # replace the dossier by an imported folder or bundle
    "log_event",        # log a set event in the shooting journal, or import a JSON Lines journal (web/live_pages.py)
    "acknowledge",      # acknowledge a set alert with a comment (an `alert.ack` event: evidence in the register)
)

_ALLOWED: dict[str, frozenset[str]] = {
    "producer": frozenset({"view", "edit_facts", "manage_evidence", "declare", "manage_team", "import", "log_event",
                           "acknowledge"}),
    "coordinator": frozenset({"view", "edit_facts", "manage_evidence", "declare", "import", "log_event", "acknowledge"}),
    "vhss_referent": frozenset({"view", "edit_facts", "manage_evidence", "log_event", "acknowledge"}),
    "auditor": frozenset({"view", "review", "finding", "close_finding", "sign_off"}),
    "viewer": frozenset({"view"}),
}

MATRIX: dict[tuple[str, str], bool] = {(role, action): action in _ALLOWED[role] for role in ROLES for action in ACTIONS}

ROLE_TITLES = {
    "producer": {"fr": "Producteur (propriétaire)", "en": "Producer (owner)"},
    "coordinator": {"fr": "Coordination écoproduction", "en": "Coordinator"},
    "vhss_referent": {"fr": "Référent VHSS", "en": "VHSS referent"},
    "auditor": {"fr": "Auditeur", "en": "Auditor"},
    "viewer": {"fr": "Lecture seule", "en": "Viewer"},
}


def allowed(role: str | None, action: str) -> bool:
    if action not in ACTIONS:
        raise KeyError(action)
    return role is not None and MATRIX.get((role, action), False)
