"""Stories: one alert per story across outlets (near-duplicate clustering).

An item's story is the story of a near-duplicate seen within the window (48 h by default), or
a new story. The flow, one module each:

- ``boilerplate.py``  agency datelines, credit lines, copyright, an aggregator's cut and title
                      suffixes removed by their shape
- ``fingerprint.py``  fold (the matching fold), words, 32-bit word hashes for the exact check,
                      MinHash (rensa) of the content words cut into LSH band keys
- ``similarity.py``   the exact check: weighted overlap coefficient (numbers count 6 times)
- ``index.py``        the StoryIndex protocol (lookup by band keys, add with expiry)
- ``memory.py``       StoryIndex in memory (tests, bench, dry runs)
- ``clusterer.py``    StoryClusterer.assign(item, window, now) -> StoryAssignment
- ``config.py``       StoryConfig: thresholds and LSH layout, with measured defaults
- ``desk.py``         the pipeline's step: the clusterer over the state store, and per
                      watchlist the story's lead (an alert) or a copy of it (a follow-up)

Defaults (``StoryConfig()``): join at a weighted overlap >= 0.86; candidates from 12 bands x 3
rows over the text's content words plus 4 bands x 2 rows over the headline's. On the labelled
set (``tests/unit/stories/story_set.yaml``: 19 multi-version stories and 6 single items, 9
hard-negative pairs) clustering is exact in every arrival order tested.
"""

from service.stories.clusterer import StoryAssignment, StoryClusterer, item_ref
from service.stories.config import StoryConfig
from service.stories.fingerprint import Fingerprint, Fingerprinter
from service.stories.index import StoryEntry, StoryIndex
from service.stories.memory import MemoryStoryIndex

__all__ = [
    "Fingerprint",
    "Fingerprinter",
    "MemoryStoryIndex",
    "StoryAssignment",
    "StoryClusterer",
    "StoryConfig",
    "StoryEntry",
    "StoryIndex",
    "item_ref",
]
