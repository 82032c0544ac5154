"""`python -m service` is the `wirewatch` command."""

from service.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
