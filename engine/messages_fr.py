"""The French of messages written in English where they are raised: the errors found in a ruleset
file (engine/loader.py, the conditions of its criteria, the policies), the model's own checks
(`value_error`s such as « expires … is before collected … ») and the paths an evidence file may not
take. `bilingual` gives each the French a user reads by default, so an error keeps its one place of
definition. The engine keeps raising them in English (its API and tests read them so); the command
line shows them through `translated` (cli/main.py error_line). A message without a French form here
stays English (tests/test_ruleset_errors.py checks that the loader's messages have one)."""

from __future__ import annotations

import re

from .errors import Bilingual, InputError, Message

# English pattern (a whole message or hint) -> French; the named groups are copied over.
_FR: list[tuple[str, str]] = [
    # engine/loader.py
    (r"the bundled rulesets are missing from this installation", "les référentiels fournis manquent dans cette installation"),
    (r"reinstall raccord", "réinstallez raccord"),
    (r"ruleset id '(?P<id>.*)' differs from its folder '(?P<folder>.*)'",
     "l'identifiant du référentiel « {id} » diffère de son dossier « {folder} »"),
    (r"a ruleset file is a mapping with id, title, policy, criteria\.\.\.",
     "un fichier de référentiel est une table avec id, title, policy, criteria…"),
    (r"unknown policy kind (?P<kind>.*)", "type de politique inconnu : {kind}"),
    (r"a policy needs a `kind`", "une politique a besoin d'un `kind`"),
    (r"fact '(?P<name>.*)' is already declared", "le fait « {name} » est déjà déclaré"),
    (r"criterion id '(?P<id>.*)' is used twice", "l'identifiant de critère « {id} » est utilisé deux fois"),
    (r"a ruleset cannot reference its own outcome", "un référentiel ne peut pas lire son propre résultat"),
    (r"reference its criteria instead", "lisez plutôt ses critères"),
    (r"criterion (?P<id>\S+) tests evidence '(?P<kind>.*)' without describing it under `evidence`",
     "le critère {id} teste la preuve « {kind} » sans la décrire sous `evidence`"),
    (r"auditors need the description", "l'auditeur a besoin de sa description"),
    (r"declared in facts\.yaml", "déclaré dans facts.yaml"),
    (r"declared by (?P<x>.*)", "déclaré par {x}"),
    (r"declared (?P<x>.*)", "déclaré : {x}"),
    (r"a periodic deadline counts from that evidence's date",
     "une échéance périodique compte à partir de la date de cette preuve"),
    (r"give stage (?P<s>\S+) a `due:` counted from a date fact",
     "donnez à l'étape {s} un `due:` compté à partir d'un fait de type date"),
    (r"give `date:` \(e\.g\. (?P<ex>\S+)\) and `offset_days`", "donnez `date:` (par exemple {ex}) et `offset_days`"),
    (r"a periodic deadline belongs to its criterion", "une échéance périodique appartient à son critère"),
    (r"a deadline counts from a date fact, e\.g\. (?P<ex>\S+)",
     "une échéance compte à partir d'un fait de type date, par exemple {ex}"),
    (r"declare `stages`", "déclarez `stages`"),
    (r"criterion (?P<id>\S+) does not describe evidence '(?P<kind>.*)' under `evidence`",
     "le critère {id} ne décrit pas la preuve « {kind} » sous `evidence`"),
    (r"an evidence piece's deadline counts from a date fact or a stage",
     "l'échéance d'une pièce compte à partir d'un fait de type date ou d'une étape"),
    (r"remove it or change the policy", "retirez-le ou changez de politique"),
    (r"use all, any, not, fact, ratio, evidence, criterion, outcome, as_of, every or count",
     "formes permises : all, any, not, fact, ratio, evidence, criterion, outcome, as_of, every, count"),
    # a --target value (raccord plan)
    (r"unknown target '(?P<t>.*)'", "cible inconnue : « {t} »"),
    (r"rulesets: (?P<list>.*); forms: RID, RID:LEVEL, RID:SCHEME",
     "référentiels : {list} ; formes : RID, RID:NIVEAU, RID:DISPOSITIF"),
    (r"ruleset (?P<id>\S+) \((?P<kind>\w+)\) takes no ':' part", "le référentiel {id} ({kind}) ne prend pas de partie « : »"),
    (r"use --target (?P<id>\S+)", "écrivez --target {id}"),
    (r"'(?P<t>.*)' is not a level of (?P<id>\S+)", "« {t} » n'est pas un niveau de {id}"),
    (r"ruleset (?P<id>\S+) has levels: name one", "le référentiel {id} a des niveaux : nommez-en un"),
    (r"e\.g\. (?P<ex>\S+)", "par exemple {ex}"),
    (r"levels: (?P<list>[\d, ]+)", "niveaux : {list}"),  # the hint of --target: the level numbers
    (r"ruleset (?P<id>\S+) has schemes: name one", "le référentiel {id} a des dispositifs : nommez-en un"),
    (r"(?P<id>\S+):SCHEME \((?P<list>.*)\)", "{id}:DISPOSITIF ({list})"),
    (r"unknown scheme '(?P<s>.*)' in (?P<id>\S+)", "dispositif inconnu « {s} » dans {id}"),
    (r"amount_due needs a numeric fact, not '(?P<name>.*)'", "amount_due demande un fait numérique, pas « {name} »"),
    (r"criterion (?P<id>\S+) refers to itself", "le critère {id} se cite lui-même"),
    (r"unknown stage '(?P<stage>.*)'", "étape inconnue : « {stage} »"),
    (r"stage '(?P<stage>.*)' has no due date", "l'étape « {stage} » n'a pas de date limite"),
    (r"unknown fact '(?P<name>.*)'", "fait inconnu : « {name} »"),
    (r"a deadline counts from a date fact; '(?P<name>.*)' is (?P<type>\w+)",
     "une échéance compte à partir d'un fait de type date ; « {name} » est de type {type}"),
    (r"`field` counts from the members of a list of persons; '(?P<name>.*)' is (?P<type>\w+)",
     "`field` compte à partir des membres d'une liste de personnes ; « {name} » est de type {type}"),
    (r"give a fact of type collection under `date` \(e\.g\. (?P<ex>\S+)\)",
     "donnez sous `date` un fait de type collection (par exemple {ex})"),
    (r"'(?P<name>.*)' is a list of persons: name the date field of its members",
     "« {name} » est une liste de personnes : nommez le champ date de ses membres"),
    (r"add `field:` \((?P<fields>.*)\)", "ajoutez `field:` ({fields})"),
    (r"unknown field '(?P<field>.*)' of (?P<name>\S+)", "champ inconnu « {field} » de {name}"),
    (r"the date fields of (?P<name>\S+)", "les champs date de {name}"),
    (r"a deadline counts from a date field; '(?P<name>.*)' is (?P<type>\w+)",
     "une échéance compte à partir d'un champ de type date ; « {name} » est de type {type}"),
    (r"`otherwise_date` is a date fact; '(?P<name>.*)' is (?P<type>\w+)",
     "`otherwise_date` est un fait de type date ; « {name} » est de type {type}"),
    (r"the due date of stage (?P<stage>\S+) counts from a date fact",
     "la date limite de l'étape {stage} compte à partir d'un fait de type date"),
    (r"an evidence piece's deadline counts from a date (?P<rest>.*)",
     "l'échéance d'une pièce compte à partir d'un fait de type date"),
    (r"two (?P<what>\w+)s share an id", "deux éléments de {what}s ont le même identifiant"),
    (r"unknown source document '(?P<doc>.*)'", "document source inconnu : « {doc} »"),
    (r"declare it under `sources`", "déclarez-le sous `sources`"),
    (r"unknown group '(?P<group>.*)'", "groupe inconnu : « {group} »"),
    (r"groups: (?P<list>.*)", "groupes : {list}"),
    (r"known: (?P<list>.*)", "connus : {list}"),
    (r"rulesets with a grid description: (?P<list>.*)", "référentiels ayant une description de grille : {list}"),
    (r"unknown ruleset", "référentiel inconnu"),
    (r"unknown criterion", "critère inconnu"),  # raccord explain DOSSIER ID
    (r"stages: (?P<list>.*)", "étapes : {list}"),
    (r"criterion (?P<id>\S+) lists an evidence kind twice", "le critère {id} cite deux fois la même nature de preuve"),
    (r"totals say (?P<n>\S+) (?P<what>criteria|groups|points), (?:the file has|the criteria sum to) (?P<m>\S+)",
     "les totaux annoncent {n} {what}, le fichier en compte {m}"),
    (r"rulesets depend on each other in a cycle through (?P<id>.*)",
     "des référentiels dépendent l'un de l'autre en boucle via {id}"),
    (r"not a regular file", "pas un fichier ordinaire"),
    (r"already in (?P<x>.*)", "déjà dans {x}"),
    # the policies' checks of a ruleset (engine/policies)
    (r"criterion (?P<id>\S+) needs `(?P<a>\w+)` under a (?P<kind>\w+) policy",
     "le critère {id} demande `{a}` sous une politique {kind}"),
    (r"`(?P<a>\w+)` has no meaning under a (?P<kind>\w+) policy", "`{a}` n'a pas de sens sous une politique {kind}"),
    (r"criterion (?P<id>\S+): unknown scheme '(?P<s>.*)'", "critère {id} : dispositif inconnu « {s} »"),
    (r"levels must be numbered 1, 2, 3\.\.\. in order", "les niveaux sont numérotés 1, 2, 3… dans l'ordre"),
    (r"criterion (?P<id>\S+): level (?P<n>\S+) is not declared", "critère {id} : le niveau {n} n'est pas déclaré"),
    (r"target level (?P<n>\S+) is not declared", "le niveau visé {n} n'est pas déclaré"),
    (r"schemes: (?P<list>.*)", "dispositifs : {list}"),
    # suggestions and hints shared with the conditions
    (r"did you mean '(?P<name>.*)'\?", "vouliez-vous dire « {name} » ?"),
    (r"one of (?P<list>.*)", "l'une des valeurs : {list}"),
    (r"dates are written YYYY-MM-DD", "attendu : une date AAAA-MM-JJ, par exemple 2026-03-02"),
    (r"see docs/ruleset-format\.md for the keys allowed here", "voir docs/ruleset-format.md pour les clés permises ici"),
    (r"every criterion must cite its source and state its provenance",
     "chaque critère cite sa source et dit sa provenance"),
    (r"combine tests with `all`", "combinez les tests avec `all`"),
    # the conditions of a criterion (engine/conditions.py)
    (r"a condition must be a mapping such as \{fact: \.\.\., eq: \.\.\.\} or \{all: \[\.\.\.\]\}",
     "une condition est une table comme {{fact: ..., eq: ...}} ou {{all: [...]}}"),
    (r"`(?P<op>\w+)` takes a non-empty list of conditions", "`{op}` prend une liste non vide de conditions"),
    (r"`(?P<op>\w+)` takes a non-empty list", "`{op}` prend une liste non vide"),
    (r"`(?P<op>\w+)` names an evidence kind", "`{op}` nomme une nature de preuve"),
    (r"evidence conditions belong in a criterion's `requires` or `applies_if`",
     "une condition de preuve se place dans le `requires` ou le `applies_if` d'un critère"),
    (r"max_age_days is a whole number of days", "max_age_days est un nombre entier de jours"),
    (r"`criterion` names a criterion by its id", "`criterion` nomme un critère par son identifiant"),
    (r"unknown criterion '(?P<id>.*)'", "critère inconnu : « {id} »"),
    (r"unknown status '(?P<s>.*)'", "statut inconnu : « {s} »"),
    (r"'(?P<v>.*)' is not a date", "« {v} » n'est pas une date"),
    (r"unknown condition form with keys (?P<keys>.*)", "forme de condition inconnue (clés {keys})"),
    (r"unexpected key '(?P<key>.*)' in this condition", "clé inattendue dans cette condition : « {key} »"),
    (r"unknown test '(?P<op>.*)'", "test inconnu : « {op} »"),
    (r"one test per condition, found (?P<ops>.*)", "un seul test par condition, trouvés : {ops}"),
    (r"fact '(?P<name>.*)' is a collection: test it with every or count \(or known\)",
     "le fait « {name} » est une liste de personnes : testez-le avec every ou count (ou known)"),
    (r"(?P<what>fact|field) '(?P<name>.*)' is (?P<type>\w+), not boolean: add a test such as eq or gte",
     "« {name} » est de type {type}, pas un booléen : ajoutez un test comme eq ou gte"),
    (r"`known` takes true or false", "`known` prend true ou false"),
    (r"(?P<what>fact|field) '(?P<name>.*)' is a set: use `contains`", "« {name} » est un ensemble : utilisez `contains`"),
    (r"`contains` applies to set facts; '(?P<name>.*)' is (?P<type>\w+)",
     "`contains` s'applique aux ensembles ; « {name} » est de type {type}"),
    (r"`(?P<op>\w+)` needs a number or a date; '(?P<name>.*)' is (?P<type>\w+)",
     "`{op}` demande un nombre ou une date ; « {name} » est de type {type}"),
    (r"ratio takes \[NUMERATOR_FACT, DENOMINATOR_FACT\]", "ratio prend [FAIT_NUMÉRATEUR, FAIT_DÉNOMINATEUR]"),
    (r"ratio needs numeric facts; '(?P<name>.*)' is (?P<type>\w+)",
     "ratio demande des faits numériques ; « {name} » est de type {type}"),
    (r"ratio needs a numeric test such as gte: 0\.4", "ratio demande un test numérique comme gte: 0.4"),
    (r"outcome is written RULESET\.FIELD, e\.g\. (?P<ex>.*)", "outcome s'écrit RÉFÉRENTIEL.CHAMP, par exemple {ex}"),
    (r"unknown ruleset '(?P<id>.*)'", "référentiel inconnu : « {id} »"),
    (r"ruleset '(?P<id>.*)' has no outcome '(?P<f>.*)'", "le référentiel « {id} » n'a pas de résultat « {f} »"),
    (r"an outcome condition needs a test such as gte: 2 or eq: eligible",
     "une condition sur un résultat demande un test comme gte: 2 ou eq: eligible"),
    (r"'(?P<v>.*)' is not a decision", "« {v} » n'est pas une décision"),
    (r"decisions compare with eq, ne, in or not_in", "une décision se compare avec eq, ne, in ou not_in"),
    (r"'(?P<v>.*)' is not one of the values of this fact", "« {v} » n'est pas une des valeurs de ce fait"),
    (r"allowed: (?P<list>.*)", "valeurs permises : {list}"),
    (r"(?P<v>.*) does not match the type of this fact \((?P<type>\w+)\)", "{v} ne correspond pas au type de ce fait ({type})"),
    (r"only date facts compare with the evaluation date", "seuls les faits de type date se comparent à la date d'évaluation"),
    (r"plus_days is a whole number of days", "plus_days est un nombre entier de jours"),
    (r"plus_days applies to dates?(?: facts)?", "plus_days s'applique aux dates"),
    # the model's checks (pydantic value errors) and the paths of evidence files
    (r"expires (?P<e>\S+) is before collected (?P<c>\S+)", "la fin de validité {e} précède la date de collecte {c}"),
    (r"path '(?P<p>.*)' resolves outside the dossier folder \(symlink to (?P<t>.*)\)",
     "le chemin « {p} » mène hors du dossier (lien vers {t})"),
    (r"path '(?P<p>.*)' leaves the dossier folder", "le chemin « {p} » sort du dossier"),
    (r"path '(?P<p>.*)' is absolute; evidence paths are relative to the dossier folder",
     "le chemin « {p} » est absolu ; un chemin de preuve part du dossier"),
    (r"path '(?P<p>.*)' uses backslashes; write it with /",
     "le chemin « {p} » utilise des barres obliques inversées ; écrivez-le avec /"),
    (r"path contains a NUL character \(\\0\), which no file name can",
     "le chemin contient un caractère NUL (\\0), impossible dans un nom de fichier"),
    (r"empty path", "chemin vide"),
    (r"give either `path` or `url`, not both", "donner `path` ou `url`, pas les deux"),
    (r"`copy` is the saved copy of an online item: give `url` too",
     "`copy` est la copie enregistrée d'une preuve en ligne : donner aussi `url`"),
]
_FR += [
    # the model's checks of a ruleset file (engine/model.py located_validation_error: pydantic's words)
    (r"required key is missing", "clé obligatoire absente"),
    (r"unknown key", "clé inconnue"),
    (r"expected a mapping of keys to values here", "une table de clés et de valeurs est attendue ici"),
    (r"String should match pattern '(?P<p>.*)'", "la valeur n'a pas la forme attendue ({p})"),
    (r"Input should be greater than (?P<n>\S+)", "attendu : supérieur à {n}"),
    (r"Input should be greater than or equal to (?P<n>\S+)", "attendu : au moins {n}"),
    (r"Input should be less than or equal to (?P<n>\S+)", "attendu : au plus {n}"),
    (r"Input should be a valid integer.*", "un nombre entier est attendu"),
    (r"Input should be a valid number.*", "un nombre est attendu"),
    (r"Input should be a valid boolean.*", "true ou false est attendu"),
    (r"Input should be a valid string", "un texte est attendu"),
    (r"Input should be a valid list", "une liste est attendue"),
    (r"Input should be a valid date.*", "une date AAAA-MM-JJ est attendue"),
    (r"Input should be (?P<values>'.*)", "valeur non permise (attendu : {values})"),
    (r"String should have at least 1 character", "un texte non vide est attendu"),
    (r"List should have at least (?P<n>\d+) items? after validation, not (?P<got>\d+)",
     "une liste d'au moins {n} élément(s) est attendue (elle en a {got})"),
    (r"kinds: (?P<list>.*)", "types possibles : {list}"),
    (r"identifiers use lower_snake_case; criterion ids look like ECO-PROD-01",
     "identifiants en minuscules_avec_tirets_bas ; un identifiant de critère ressemble à ECO-PROD-01"),
    (r"a citation's url is a web page: https://\.\.\.", "l'adresse d'une citation est une page web : https://…"),
]
_COMPILED = [(re.compile(pattern + r"\Z", re.S), french) for pattern, french in _FR]
# « FIELD: message (and N more problems) », as engine/model.py words a ruleset file's first problem
_FIELD = re.compile(r"(?P<field>[\w.\[\]-]+): (?P<rest>.+?)(?: \(and (?P<n>\d+) more problems?\))?\Z", re.S)


def french(english: str) -> str | None:
    """The French of a loader message or hint, or None when it has none."""
    for pattern, fr in _COMPILED:
        found = pattern.match(english)
        if found:
            return fr.format(**found.groupdict())
    return _field_message(english) or _pattern_hint(english)


def _field_message(english: str) -> str | None:
    found = _FIELD.match(english)
    if found is None or found.group("rest") == english:
        return None
    rest = french(found.group("rest"))
    if rest is None:
        return None
    n = int(found.group("n") or 0)
    more = f" (et {n} autre{'s' if n > 1 else ''} problème{'s' if n > 1 else ''})" if n else ""
    return f"{found.group('field')} : {rest}{more}"


def _pattern_hint(english: str) -> str | None:
    from .model import _PATTERN_HINTS  # the hints of the model's patterns, already in both languages

    return next((hint.fr for hint in _PATTERN_HINTS.values() if hint.en == english), None)


def bilingual(text: Message) -> Message:
    """`text` in both languages when its French is known (a Bilingual is kept as it is)."""
    if isinstance(text, Bilingual) or not text:
        return text
    fr = french(text)
    return text if fr is None else Bilingual(fr, text)


def translated(error: InputError) -> InputError:
    """The same error, at the same place, with its message and hint in both languages."""
    return InputError(error.where, bilingual(error.message), bilingual(error.hint))
