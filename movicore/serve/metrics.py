"""``GET /metrics``: the server's counters in the Prometheus text format (prometheus_client),
read from the live streams at scrape time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_QUANTILES = {"p50": "0.5", "p90": "0.9"}


class _ServerCollector:
    def __init__(self, server: Any) -> None:
        self.server = server

    def collect(self) -> Iterator[Metric]:
        streams = self.server.list()
        labels = ["stream"]
        frames = CounterMetricFamily("movicore_stream_frames", "Frames inferred", labels=labels)
        drops = CounterMetricFamily("movicore_stream_dropped_frames",
                                    "Frames dropped because inference fell behind",
                                    labels=labels)
        reconnects = CounterMetricFamily("movicore_stream_reconnects",
                                         "Times the source was reopened", labels=labels)
        moves = CounterMetricFamily("movicore_stream_moves",
                                    "Times the stream moved to another Ray actor", labels=labels)
        snapshot_errors = CounterMetricFamily("movicore_stream_snapshot_errors",
                                              "Snapshots that could not be written",
                                              labels=labels)
        queued = GaugeMetricFamily("movicore_stream_queued_frames", "Frames waiting",
                                   labels=labels)
        latency = GaugeMetricFamily("movicore_stream_latency_seconds",
                                    "Frame latency (queued to prediction) over the last frames",
                                    labels=["stream", "quantile"])
        up = GaugeMetricFamily("movicore_stream_up", "1 while the stream is running",
                               labels=labels)
        for s in streams:
            frames.add_metric([s.id], s.frames)
            drops.add_metric([s.id], s.drops)
            reconnects.add_metric([s.id], s.reader.reconnects if s.reader else 0)
            moves.add_metric([s.id], len(s.moves))
            snapshot_errors.add_metric([s.id], s.snapshot_errors)
            queued.add_metric([s.id], len(s.queue))
            up.add_metric([s.id], 1.0 if s.status == "running" else 0.0)
            for name, v in s.latency_ms().items():
                if v is not None:
                    latency.add_metric([s.id, _QUANTILES[name]], v / 1e3)
        yield GaugeMetricFamily("movicore_streams", "Streams served", value=len(streams))
        yield from (frames, drops, reconnects, moves, snapshot_errors, queued, latency, up)
        yield CounterMetricFamily("movicore_events", "Events published",
                                  value=self.server.hub.published)
        yield CounterMetricFamily("movicore_sse_dropped_events",
                                  "Events a slow SSE client did not get",
                                  value=self.server.hub.sse_dropped)
        workers = GaugeMetricFamily("movicore_worker_load",
                                    "Measured share of a core each worker's streams take",
                                    labels=["worker"])
        for w in self.server.executor.placements():
            workers.add_metric([w["name"]], w["load"])
        yield workers


def registry(server: Any) -> CollectorRegistry:
    from prometheus_client import ProcessCollector

    reg = CollectorRegistry(auto_describe=False)
    reg.register(_ServerCollector(server))  # type: ignore[arg-type]
    ProcessCollector(registry=reg)  # process_resident_memory_bytes, cpu seconds, ...
    return reg


def render(reg: CollectorRegistry) -> bytes:
    return generate_latest(reg)
