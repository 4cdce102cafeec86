"""The request log's ring in shared memory: what it keeps, in order, across wrap-around, clearing
and worker processes."""

import multiprocessing
import pickle

import pytest

from localsphere.runtime.request_log import MAX_PATH, Entry, RequestLog


def entry(n, path="/v1/users"):
    return Entry(
        at=1000.0 + n,
        face="sddc-manager",
        method="GET",
        path=path,
        principal=None,
        status=200,
        duration_ms=float(n),
    )


@pytest.fixture
def ring():
    made = RequestLog(3)
    yield made
    made.close()


def test_the_newest_are_kept_in_order(ring):
    for n in range(1, 6):
        ring.append(entry(n))
    assert [(seq, e.duration_ms) for seq, e in ring.recent(10)] == [(3, 3.0), (4, 4.0), (5, 5.0)]
    assert [seq for seq, _ in ring.recent(2)] == [4, 5]
    assert [seq for seq, _ in ring.recent(10, after=3)] == [4, 5]
    assert [seq for seq, _ in ring.recent(1, after=1)] == [3]  # the oldest still kept
    assert ring.recent(10, after=5) == []


def test_clear_hides_what_was_logged_and_numbers_go_on(ring):
    ring.append(entry(1))
    ring.clear()
    assert ring.recent(10) == []
    ring.append(entry(2))
    assert [(seq, e.at) for seq, e in ring.recent(10)] == [(2, 1002.0)]


def test_a_long_path_is_cut_to_fit(ring):
    ring.append(entry(1, "/v1/" + "x" * 5000))
    ((_, kept),) = ring.recent(1)
    assert len(kept.path) == MAX_PATH + 3 and kept.path.endswith("...")


def _append_in_child(log):
    log.append(entry(7, "/from/the/child"))


def test_workers_share_one_ring(ring):
    view = pickle.loads(pickle.dumps(ring))  # what a spawned worker gets
    view.append(entry(1))
    child = multiprocessing.get_context("spawn").Process(target=_append_in_child, args=(ring,))
    child.start()
    child.join(30)
    assert [e.path for _, e in ring.recent(10)] == ["/v1/users", "/from/the/child"]
    view.close()
