"""`raccord serve --demo`: the four bundled examples, each imported through the journal, and one
account per role (the same password for all, printed at start: a demonstration, not a deployment)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from . import store, transfer
from .models import Membership, User
from .security import hash_password, now

PASSWORD = "demo-raccord"
ACCOUNTS = [("producteur@demo.raccord", "Producteur (démo)", "producer"),
            ("coordination@demo.raccord", "Coordinatrice (démo)", "coordinator"),
            ("referent@demo.raccord", "Référent VHSS (démo)", "vhss_referent"),
            ("auditeur@demo.raccord", "Auditrice (démo)", "auditor"),
            ("lecteur@demo.raccord", "Lecteur (démo)", "viewer")]


def examples_folder() -> Path | None:
    for candidate in (Path(__file__).resolve().parent.parent / "examples", Path.cwd() / "examples"):
        if (candidate / "long_metrage" / "dossier.yaml").exists():
            return candidate
    return None


def load(workspace) -> list[str]:
    """Create the demo accounts and productions once (a second start finds them)."""
    lines = []
    with workspace.transaction(writing=True) as db:
        users = {}
        hashed = hash_password(PASSWORD)
        for email, name, role in ACCOUNTS:
            user = db.scalar(select(User).where(User.email == email))
            if user is None:
                user = User(email=email, name=name, password_hash=hashed, created=now())
                db.add(user)
                db.flush()
            users[role] = user
        folder = examples_folder()
        for example in sorted(folder.iterdir()) if folder else []:
            if not (example / "dossier.yaml").exists():
                continue
            imported = transfer.import_folder(workspace, example)
            slug = imported["production"]["id"]
            if db.scalar(select(store.Production).where(store.Production.slug == slug)):
                continue
            production = store.create_production(db, users["producer"], slug, imported["production"]["title"])
            for role, user in users.items():
                if role != "producer":
                    db.add(Membership(user_id=user.id, production_id=production.id, role=role))
            store.append(db, production, users["producer"], [("import", {"state": imported})], None)
        db.commit()
    for email, _, role in ACCOUNTS:
        lines.append(f"  {role:14} {email}")
    return lines
