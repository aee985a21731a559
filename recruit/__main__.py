from recruit.cli import main

main()
