"""`python -m raccord`: the same entry point as the `raccord` executable."""

from raccord.cli.entry import main

main()
