"""The full-scale benchmark: what one `watcher check` of the whole catalogue costs.

Run ``python -m bench.full_scale`` (see `bench/README.md`, "Full-scale check"). The
modules, in the order a run uses them:

- `plan`: which pages the synthetic site holds and the watcher is told to watch;
- `templates`, `pages`: each page's body (base, changed, cosmetic), 100-200 KB;
- `site`: the threaded HTTP server with latency, validators and traffic counters;
- `tools`, `launcher`: the watcher and urlwatch as measured subprocesses;
- `scenarios`: the five scenarios, run for each tool from known states;
- `probe`, `bare`: an extra run with counters on the watcher's stages, and a client
  that only downloads (the harness floor);
- `report`, `markdown`: medians, targets, the Markdown report; `cli`: the command;
- `profiling`: one scenario under cProfile, every thread included.
"""
