"""The command line: the `watcher` click group, its commands and what they print.

`commands` holds the group and the commands that run the job (`check`, `run`, `show`);
`operator` the read-only ones (`status`, `history`, `diff`, `forces`); `demo` the demo
(the story itself is in `watcher.demo`); `base` what
every command shares (exit codes, config); `terminal` the tables and progress bar.
"""

from watcher.cli.group import main

__all__ = ["main"]
