"""Architecture search over the MoViNet search space, for latency budgets on the user's CPU.

``sample(seed)`` draws a point of the space as an ``arch.Config``; ``LatencyModel`` predicts
its engine latency from a table measured on the target (``movicore nas profile``);
``movicore nas search`` runs the evolutionary search (docs/nas.md).
"""

from __future__ import annotations

from movicore.nas.latency import LatencyModel
from movicore.nas.space import PAPER, Candidate, Genome, Space, named_point, sample

__all__ = ["PAPER", "Candidate", "Genome", "LatencyModel", "Space", "named_point", "sample"]
