"""The team workspace: `raccord serve` (README, "Espace de travail / Workspace").

A Starlette application rendering French (or English) pages on the server, over one append-only
journal of events per production (journal.py); the engine evaluates the dossier derived from it.
Install with the `web` extra: `pip install 'raccord[web]'`.
"""
