"""`python -m plait`: the same as the `plait` command (what torchrun and other launchers run)."""
from plait.cli.main import main

if __name__ == "__main__":
    main()
