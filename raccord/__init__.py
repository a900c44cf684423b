"""raccord: where a film or TV production stands against its compliance referentials."""

from pathlib import Path as _Path

__version__ = "0.1.0"

# In a checkout this folder holds only this shim: the sub-packages are the top-level folders
# engine/, cli/ and rulesets/ (an installed raccord has them inside; setup.py maps them). Looking in
# the checkout's root as well makes `python -m raccord` run the checkout's code whatever is installed.
_here = _Path(__file__).parent
if not (_here / "engine").is_dir() and (_here.parent / "engine" / "__init__.py").is_file():
    __path__.append(str(_here.parent))
