"""``movicore serve``: many video streams on one box or a Ray cluster (extra ``serve``).

Pipeline: one decode thread per stream (``sources``) feeds a bounded per-stream queue
(``frames``); inference workers (``local``: threads, each running whole streams; ``ray_backend``:
Ray actors) step one engine per stream and publish predictions (``events``) to stdout as
JSON lines and to the HTTP API (``http``: aiohttp, Server-Sent Events, Prometheus metrics).
Stream states are snapshotted atomically (``snapshots``) so a restart resumes them.
Import the pieces from their modules; nothing here imports aiohttp or Ray.
"""

from __future__ import annotations
