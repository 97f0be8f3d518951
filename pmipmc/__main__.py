"""`python -m pmipmc ...` is the `pmipmc` command."""
from pmipmc.properties.cli import main

if __name__ == "__main__":
    main()
