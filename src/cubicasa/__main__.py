"""`python -m cubicasa`: the `cubicasa` command line."""

from cubicasa.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
