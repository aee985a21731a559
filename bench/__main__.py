"""`make bench` / `python -m bench`: run every benchmark."""

from bench import assembly

assembly.main()
