"""Data package: the bundled rulesets (YAML), found with importlib.resources."""
