"""Handles: close(), context managers, finalizers, parents kept alive."""

import gc
import threading
import weakref

import pytest

import libtwin
from libtwin import errors


def test_close_is_idempotent():
    g = libtwin.Graph()
    g.add_twin("a", "m")
    g.close()
    g.close()
    assert g.closed


def test_use_after_close_raises_closed():
    g = libtwin.Graph()
    g.add_twin("a", "m")
    g.add_twin("b", "m")
    g.add_relationship("a", "r", "feeds", "b")
    g.close()
    calls = [
        lambda: g.add_twin("c", "m"), lambda: g.remove_twin("a"), lambda: g.twin("a"),
        lambda: g.set_model("a", "m"), lambda: g.twin_count(), lambda: g.relationship_count(),
        lambda: len(g), lambda: g.set_property("a", "p", 1), lambda: g.get_property("a", "p"),
        lambda: g.properties("a"), lambda: g.remove_property("a", "p"),
        lambda: g.add_relationship("a", "s", "feeds", "b"),
        lambda: g.remove_relationship("a", "r"), lambda: g.relationship("a", "r"),
        lambda: g.set_relationship_property("a", "r", "p", 1),
        lambda: g.remove_relationship_property("a", "r", "p"),
        lambda: list(g.twins()), lambda: list(g.relationships("a")), lambda: list(g),
        lambda: g.optimize(), lambda: "a" in g, lambda: libtwin.Impact(g),
    ]
    for call in calls:
        with pytest.raises(errors.Closed, match="graph is closed") as e:
            call()
        assert isinstance(e.value, errors.InvalidArgument)
        assert e.value.status == errors.E_INVAL


def test_graph_context_manager():
    with libtwin.Graph() as g:
        g.add_twin("a", "m")
        assert not g.closed
    assert g.closed
    with pytest.raises(errors.Closed):
        with g:
            pass


def test_context_manager_closes_on_exception():
    with pytest.raises(RuntimeError):
        with libtwin.Graph() as g:
            raise RuntimeError
    assert g.closed


def test_impact_close_and_context_manager(factory):
    with libtwin.Impact(factory) as q:
        assert len(q.run("motor-C")) == 5
    assert q.closed
    q.close()
    for call in (lambda: q.run("motor-C"), lambda: q.results(), lambda: len(q)):
        with pytest.raises(errors.Closed, match="impact context is closed"):
            call()
    assert "closed" in repr(q)
    assert not factory.closed


def test_closing_graph_closes_its_impacts(factory):
    q1, q2 = libtwin.Impact(factory), libtwin.Impact(factory)
    q1.close()
    factory.close()
    assert q1.closed and q2.closed
    with pytest.raises(errors.Closed):
        q2.run("motor-C")


def test_iterator_after_close_raises_closed(factory):
    it = factory.twins()
    next(it)
    factory.close()
    with pytest.raises(errors.Closed):
        next(it)


def test_impact_keeps_graph_alive():
    g = libtwin.Graph()
    g.add_twin("a", "m")
    g.add_twin("b", "m")
    g.add_relationship("a", "r", "feeds", "b")
    q = libtwin.Impact(g)
    ref = weakref.ref(g)
    del g
    gc.collect()
    assert ref() is not None
    assert [h.twin for h in q.run("a")] == ["a", "b"]
    del q
    gc.collect()
    assert ref() is None


def test_finalizer_destroys_unclosed_handles():
    g = libtwin.Graph()
    q = libtwin.Impact(g)
    gfin, qfin = g._fin, q._fin
    assert gfin.alive and qfin.alive
    del g, q
    gc.collect()
    assert not gfin.alive and not qfin.alive


def test_impact_needs_a_graph():
    with pytest.raises(TypeError):
        libtwin.Impact(object())


def test_many_graphs_created_and_dropped():
    for i in range(200):
        g = libtwin.Graph(validator={"check_twin": lambda *a: True})
        g.add_twin("a", "m", {"i": i})
        libtwin.Impact(g).run("a")
        if i % 2:
            g.close()
    gc.collect()


def test_threads_share_a_graph_without_crashing(factory):
    errors_seen = []

    def worker(k):
        try:
            q = libtwin.Impact(factory)
            for i in range(200):
                factory.set_property("motor-C", f"w{k}", i)
                assert len(q.run("motor-C")) == 5
                try:
                    list(factory.twins())
                except errors.Modified:
                    pass  # another thread wrote between two steps: by design
        except Exception as e:  # noqa: BLE001
            errors_seen.append(e)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors_seen == []
    assert factory.get_property("motor-C", "w3") == 199
