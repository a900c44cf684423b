"""The example of docs/api.md (kept identical by tests/test_api_doc.py)."""

import datetime as dt

from raccord.engine import Engine, Options

engine = Engine.load()  # the bundled referentials; Engine.load(folder, [grille.yaml]) for others
dossier = engine.dossier("examples/long_metrage/dossier.yaml")
as_of = dt.date(2025, 10, 15)

# Where does the production stand?
evaluation = engine.evaluate(dossier, as_of)
ecoprod = evaluation.outcome("ecoprod_label")
print(ecoprod["decision"], ecoprod["score"], ecoprod["reasons"])
# undetermined (0.838..., 1.0) ['mandatory_unknown']

# Why is this criterion not met?
explained = engine.explain(evaluation, "AFN-INC-03")
print(explained["status"], explained["source"]["section"], explained["trace"]["requires"]["value"])

# What is missing, most urgent first (closed windows, then by latest start, then blocking items)?
for item in engine.missing(evaluation)[:3]:
    print(item["criterion"], item["status"], item["missing_evidence"], item["missing_facts"])

# The cheapest path to AFNOR SPEC 2308 level 2, verified by re-evaluation
plan = engine.plan(evaluation, "afnor_spec_2308:2")
print([i["criterion"] for i in plan["items"]], plan["effort"], plan["after"]["reached"])

# Which aid can the production claim?
aid = engine.eligibility(engine.evaluate(dossier, Options(as_of, engine.claim_rulesets)))
print([(s["id"], s["decision"]) for s in aid["schemes"]], aid["amount"])
