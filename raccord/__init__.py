"""raccord: where a film or TV production stands against its compliance referentials."""

__version__ = "0.1.0"
