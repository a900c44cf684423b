"""The `raccord` command: parse arguments, call the engine, render. No rule logic here."""
