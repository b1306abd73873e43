"""Scale-out on a local Ray cluster: an actor killed mid-stream; its stream moves to a live actor
and resumes from its latest snapshot in the object store, exactly: the logits after the move
equal those of an engine restored from the same snapshot and fed the same frames. The cluster
runs in a network namespace with loopback only (private_network.py)."""

from __future__ import annotations

import json

import numpy as np
import private_network
import pytest
from serve_helpers import frame_source, wait_for

import movicore
from movicore.assets import demo_model_path
from movicore.serve.events import EventHub
from movicore.serve.server import ServeOptions, Server

ray = pytest.importorskip("ray")

pytestmark = pytest.mark.slow


if private_network.inside():

    @pytest.fixture(scope="module")
    def cluster():
        # A private cluster of this process (never one that other processes started).
        ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False,
                 _node_ip_address="127.0.0.1")
        try:
            yield
        finally:
            ray.shutdown()

    def test_actor_killed_mid_stream_moves_and_resumes_exactly(cluster, tmp_path, capsys):
        model = movicore.load(demo_model_path())
        size = model.input_size[0]
        frames = np.random.default_rng(7).integers(0, 256, (200, size, size, 3), dtype=np.uint8)
        log = tmp_path / "events.jsonl"
        with open(log, "w") as out:
            server = Server(ServeOptions(model=str(demo_model_path()), ray="auto", ray_actors=2,
                                         snapshot_every=0.2), EventHub("status", out))
            server.start()
            try:
                stream = server.add_stream(frame_source(frames, delay=0.01), sid="cam")
                other = server.add_stream(frame_source(frames[:50], delay=0.01), sid="other")
                assert {stream.placement, other.placement} == {"actor-0", "actor-1"}  # by load
                wait_for(lambda: stream.snapshot_seq is not None and stream.frames >= 40, 30,
                         "a snapshot after 40 frames")
                victim = next(s for s in server.executor.slots if s.name == stream.placement)
                killed_at = stream.frames
                ray.kill(victim.handle, no_restart=True)
                wait_for(lambda: stream.status == "finished" and len(stream.queue) == 0
                         and stream.last_seq == 199, 40, "the stream to finish after the move")
                move = stream.moves[-1]
                snapshot = ray.get(stream.resumed_ref)
                got = stream.last_logits
                api = stream.to_json()
                placements = server.executor.placements()
            finally:
                server.stop()
        assert killed_at < 199
        assert move["from"] == victim.name and move["to"] != victim.name
        assert move["reason"] in ("ActorDiedError", "RayActorError")
        assert api["placement"] == move["to"] and api["moves"] == [move]
        assert [p["alive"] for p in placements if p["name"] == victim.name] == [False]
        # the snapshot holds frames 0..snapshot_frame; the new actor got resumed_at_frame.. on
        assert move["snapshot_frame"] < move["resumed_at_frame"] <= 199
        engine = movicore.Engine(model)
        engine.load_state_dict(snapshot)
        assert int(snapshot["state_head_pool_frame_count"][0]) == move["snapshot_frame"] + 1
        want = engine.step(frames[move["resumed_at_frame"]:])
        np.testing.assert_array_equal(got, want)
        events = [json.loads(line) for line in log.read_text().splitlines()]
        moved = [e for e in events if e["event"] == "moved"]
        assert len(moved) == 1 and moved[0]["stream"] == "cam"
        with capsys.disabled():  # the failover log, for the record
            print("\nfailover log:\n" + "\n".join(json.dumps(e) for e in events))
            print("move:", json.dumps(move), "lost frames:", api["lost"])

else:

    def test_in_a_private_network_namespace() -> None:
        private_network.rerun_inside(__file__, timeout=300)
