from raccord.cli.main import main

main()
