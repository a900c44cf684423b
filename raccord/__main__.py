from raccord.cli.entry import main

main()
