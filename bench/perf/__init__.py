"""cvmon benchmark suite (issue 6): detector speed, end to end, capacity, side by side, accuracy.

Run it with ``python bench/run_all.py [--quick]``. Each measurement runs in a worker process of its
own (``bench/perf/worker.py``), so that one backend's threads or memory never weigh on the next;
the parts that need Ultralytics run under a second interpreter that has it (``--ultralytics-python``).
Nothing here asserts a timing: it prints medians and ratios, and writes them as JSON.
"""
