from maotiao.cli import main

main()
