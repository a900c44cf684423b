"""`raccord keys generate NAME`: an Ed25519 key pair to sign audit bundles (cli/signing.py)."""

from __future__ import annotations

from pathlib import Path

import click

from .language import bi


def register(cli: click.Group) -> None:
    @cli.group(help=bi("Gérer les clés de signature des paquets d'audit (Ed25519).",
                       "Manage the signing keys of audit bundles (Ed25519)."))
    def keys() -> None:
        pass

    @keys.command("generate", help=bi(
        """Créer NOM.key (clé privée, lisible par vous seul) et NOM.pub (clé publique à transmettre).

        Une clé existante n'est jamais écrasée. Signez avec `raccord dossier … --sign NOM.key` ;
        le destinataire vérifie avec `raccord verify PAQUET.zip --key NOM.pub`.""",
        """Create NAME.key (private key, readable by you alone) and NAME.pub (public key to hand over).

        An existing key is never overwritten. Sign with `raccord dossier … --sign NAME.key`; the
        recipient checks with `raccord verify BUNDLE.zip --key NAME.pub`."""))
    @click.argument("name", default="raccord-signature", metavar=bi("NOM", "NAME"))
    @click.option("--passphrase", "protect", is_flag=True,
                  help=bi("Chiffrer la clé privée avec une phrase secrète, demandée deux fois (ou lue dans "
                          "RACCORD_KEY_PASSPHRASE) ; `dossier --sign` la demandera.",
                          "Encrypt the private key with a passphrase, asked twice (or read from "
                          "RACCORD_KEY_PASSPHRASE); `dossier --sign` will ask for it."))
    def keys_generate(name, protect):
        from .signing import generate, spaced

        key_path, pub_path, fp = generate(Path(name), protect)
        click.echo(f"clé privée : {key_path} (droits 600{', chiffrée' if protect else ''} : ne la transmettez à personne)")
        click.echo(f"clé publique : {pub_path} (à transmettre à l'auditeur)")
        click.echo(f"empreinte de la clé : {spaced(fp, 16)}")

    @keys.command("fingerprint", help=bi("Afficher l'empreinte d'une clé publique (à comparer de vive voix avec son auteur).",
                                         "Show a public key's fingerprint (to compare aloud with its author)."))
    @click.argument("public_key", metavar=bi("NOM.pub", "NAME.pub"), type=click.Path(dir_okay=False))
    def keys_fingerprint(public_key):
        from .signing import fingerprint, load_public, spaced

        click.echo(spaced(fingerprint(load_public(Path(public_key))), 16))
