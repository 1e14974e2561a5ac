from walint.cli.main import main

main()
