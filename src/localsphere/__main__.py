from localsphere.cli import main

main()
