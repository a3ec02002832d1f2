import sys

from maotiao.early_stop import install_for

install_for(sys.argv[1:])  # before the heavy imports below

from maotiao.cli import main  # noqa: E402

main()
