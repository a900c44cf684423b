"""`raccord keys generate NAME`: an Ed25519 key pair to sign audit bundles (cli/signing.py)."""

from __future__ import annotations

from pathlib import Path

import click


def register(cli: click.Group) -> None:
    @cli.group()
    def keys() -> None:
        """Gérer les clés de signature des paquets d'audit (Ed25519)."""

    @keys.command("generate")
    @click.argument("name", default="raccord-signature", metavar="NOM")
    def keys_generate(name):
        """Créer NOM.key (clé privée, lisible par vous seul) et NOM.pub (clé publique à transmettre).

        Une clé existante n'est jamais écrasée. Signez avec `raccord dossier … --sign NOM.key` ;
        le destinataire vérifie avec `raccord verify PAQUET.zip --key NOM.pub`.
        """
        from .signing import generate, spaced

        key_path, pub_path, fp = generate(Path(name))
        click.echo(f"clé privée : {key_path} (droits 600 : ne la transmettez à personne)")
        click.echo(f"clé publique : {pub_path} (à transmettre à l'auditeur)")
        click.echo(f"empreinte de la clé : {spaced(fp, 16)}")

    @keys.command("fingerprint")
    @click.argument("public_key", metavar="NOM.pub", type=click.Path(dir_okay=False))
    def keys_fingerprint(public_key):
        """Afficher l'empreinte d'une clé publique (à comparer de vive voix avec son auteur)."""
        from .signing import fingerprint, load_public, spaced

        click.echo(spaced(fingerprint(load_public(Path(public_key))), 16))
