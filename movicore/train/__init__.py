"""Training of reference MoViNets on clip sources (needs torch: ``movicore[torch]``).

Modules: ``loop`` (``train_loop``, ``evaluate``), ``checkpoint`` (save/resume/export),
``schedule`` (warmup + cosine), ``progress`` (torch-free progress bar, also used by the CLI).
Nothing is imported here so that ``movicore.train.progress`` stays usable without torch.
"""

from __future__ import annotations
