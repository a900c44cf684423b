"""A plan is verified with the evidence problems it was computed with: a tampered file stays
uncounted after the plan, as it is before."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "long_metrage"


def plan_json(dossier: Path, target: str) -> dict:
    result = subprocess.run([sys.executable, "-m", "raccord", "plan", str(dossier), "--as-of", "2025-10-15",
                             "--target", target, "--format", "json"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_tampered_invoice_still_does_not_count_after_the_plan(tmp_path):
    intact = plan_json(EXAMPLE / "dossier.yaml", "ecoprod_label")
    folder = tmp_path / "long_metrage"
    shutil.copytree(EXAMPLE, folder)
    # the supplier invoice supports several optional Ecoprod actions (LED, rental companies...)
    with (folder / "evidence" / "facture_fournisseur.txt").open("a", encoding="utf-8") as invoice:
        invoice.write("ligne ajoutée après l'enregistrement\n")
    tampered = plan_json(folder / "dossier.yaml", "ecoprod_label")
    assert tampered["before"]["score"][0] < intact["before"]["score"][0]
    # the threshold now needs one more action: ECO-DEP-02, due by the wrap (its stage's deadline),
    # comes first, and only its proof can still count (the shoot is over)
    assert [i["criterion"] for i in tampered["items"]] == ["ECO-DEP-02", "ECO-PROD-03"]
    assert tampered["items"][0]["proof_only"] is True and tampered["items"][0]["due"]["due"] == "2025-04-18"
    assert [i["criterion"] for i in intact["items"]] == ["ECO-PROD-03"]
    # before the fix the re-evaluation ignored the tampered file: 85.8 % and 3 stars, as if intact
    assert tampered["after"]["reached"] is True
    assert round(tampered["after"]["score"][0], 3) == 0.669 and tampered["after"]["stars"] == [1, 3]
    assert intact["after"]["stars"][0] > tampered["after"]["stars"][0]
