"""`python -m watcher`: the same command as the `watcher` console script."""

from watcher.cli import main

if __name__ == "__main__":
    main(prog_name="watcher")
