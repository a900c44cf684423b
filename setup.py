"""The package layout, which pyproject.toml cannot express: the checkout's top-level folders
(`engine/`, `cli/`, `rulesets/`) become sub-packages of one `raccord` package.

Every folder below them is declared as a package, data-only folders (`cli/templates`, each ruleset
and its tests) included: setuptools otherwise warns once per data folder that it is an importable
namespace package absent from `packages`, and a new ruleset folder would need a line here.
Everything else (metadata, dependencies) is in pyproject.toml.
"""

from setuptools import find_namespace_packages, setup

PACKAGE_DIR = {"raccord": "raccord", "raccord.engine": "engine", "raccord.cli": "cli", "raccord.rulesets": "rulesets",
               "raccord.web": "web"}
# ruleset files, READMEs, the HTML templates, the workspace's static files and migration template
DATA = ["*.yaml", "*.md", "*.j2", "*.html", "*.js", "*.css", "*.mako", "LICENSE*"]

packages = list(PACKAGE_DIR)
for name, folder in PACKAGE_DIR.items():
    if name != "raccord":
        packages += [f"{name}.{sub}" for sub in find_namespace_packages(folder, exclude=["*__pycache__*"])]

setup(package_dir=PACKAGE_DIR, packages=packages, package_data={name: DATA for name in packages})
