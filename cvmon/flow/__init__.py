"""How customers move through a camera's journey (entrance, post, guide desk, queue, counter), as
per-minute counts: ``figures.py`` (the value), ``journey.py`` (one track's journey), ``counter.py``
(every track of a camera, in memory only, and the minutes their figures fall in)."""
