"""libtwin.sqlite: the SQLite store of libtwin-sqlite through the binding:
round trips with counts, loading, health states, retention, documents,
errors of the database, lifetime. Skipped when libtwin-sqlite is not built."""

import gc
import json
import sqlite3

import pytest

import libtwin
from libtwin import Outcome, errors
from libtwin import sqlite as tsq

pytestmark = pytest.mark.skipif(not tsq.available,
                                reason=f"libtwin-sqlite not available: {tsq.load_error}")

MOTOR = "dtmi:factory:Motor;1"
BELT = "dtmi:factory:Conveyor;1"
S = 1_000_000


@pytest.fixture
def path(tmp_path):
    return tmp_path / "plant.db"


def fill(db, graph, n=100):
    """A plant written through a store into ``db``; returns (store, ingest, temp, vib)."""
    st = db.store(graph)
    ing = libtwin.Ingest(graph, st)
    db.bind_ingest(ing)
    st.add_twin("motor-C", MOTOR, {"nameplate": {"ratedKW": 7.5, "poles": 4}, "serial": "X1"})
    st.add_twin("belt-C", BELT)
    st.add_relationship("motor-C", "drives-1", "drives", "belt-C", {"since": 2019})
    temp = ing.add_signal("motor-C", "temperature", unit="degreeCelsius")
    vib = ing.add_signal("motor-C", "vibration")
    ing.attach_health(temp, libtwin.HealthOptions(model="linear", prior_mean=(40.0, 0.0),
                                                  failure_level=90.0))
    out = ing.write_signals(temp, [k * S for k in range(1, n + 1)],
                            [40.0 + 0.01 * k for k in range(1, n + 1)])
    assert out == bytes(n)
    ing.write([("motor-C", "vibration", 3 * S, 0.25)])
    db.checkpoint(st)
    return st, ing, temp, vib


def test_round_trip_with_counts(path):
    with tsq.SqliteStore(path) as db, libtwin.Graph() as g:
        st, ing, temp, vib = fill(db, g)
        c = db.counts()
        assert (c.twins, c.relationships, c.signals, c.samples, c.rollups, c.health) == \
            (2, 1, 2, 101, 0, 1)
        assert c.file_bytes > 0
        state = ing.get_health(temp).to_bytes()
        latest = ing.latest(temp)
    # the samples are in the file (compressed blocks), exactly
    with tsq.SqliteStore(path, readonly=True) as db:
        temp_rows = db.read("motor-C", "temperature")
        vib_rows = db.read("motor-C", "vibration")
        assert db.value_at("motor-C", "vibration", 3 * S + 5) == (3 * S, 0.25)
    assert temp_rows[0] == (1 * S, 40.01) and vib_rows[-1] == (3 * S, 0.25)
    assert len(temp_rows) + len(vib_rows) == 101
    # a new process: the graph, signals, latest values and health come back
    with tsq.SqliteStore(path) as db, libtwin.Graph() as g:
        st = db.store(g)
        ing = libtwin.Ingest(g, st)
        db.load(g, ing)
        assert [t.id for t in g.twins()] == ["motor-C", "belt-C"]
        assert g.properties("motor-C") == {"nameplate": {"ratedKW": 7.5, "poles": 4},
                                           "serial": "X1"}
        assert g.relationship("motor-C", "drives-1").properties == {"since": 2019}
        t2 = ing.resolve("motor-C", "temperature")
        assert ing.signal_info(t2)[2] == "degreeCelsius"
        assert ing.latest(t2) == latest
        assert ing.latest(ing.resolve("motor-C", "vibration")) == (3 * S, 0.25)
        assert ing.get_health(t2).to_bytes() == state
        # and it goes on storing into the same rows
        out = ing.write_signals(t2, [100 * S, 101 * S], [41.0, 41.01])
        assert [Outcome(o) for o in out] == [Outcome.DUPLICATE, Outcome.ACCEPTED]
        st.flush()
        assert db.counts().samples == 102 and db.counts().signals == 2


def test_health_states_need_the_ingest_bound(path, graph):
    with tsq.SqliteStore(path) as db:
        st = db.store(graph)
        ing = libtwin.Ingest(graph, st)
        st.add_twin("m", MOTOR)
        sig = ing.add_signal("m", "t")
        ing.attach_health(sig, libtwin.HealthOptions(model="linear", prior_mean=(1.0, 0.0),
                                                     failure_level=5.0))
        ing.write_signals(sig, [1 * S], [1.5])
        db.checkpoint(st)
        assert db.counts().health == 0  # not bound: not stored
        db.bind_ingest(ing)
        ing.write_signals(sig, [2 * S], [1.6])
        db.checkpoint(st)
        assert db.counts().health == 1
        ing.close()  # the binding ends with the handle
        assert db._bound is None
        db.bind_ingest(None)


def test_store_by_constructor_and_one_store_at_a_time(path, graph):
    with tsq.SqliteStore(path) as db:
        st = libtwin.Store(graph, db)
        with pytest.raises(errors.InvalidState, match="one Store"):
            db.store(libtwin.Graph())
        st.add_twin("m", MOTOR)
        assert db.counts().twins == 1
        with libtwin.Graph() as other:
            foreign = libtwin.Store(other)
            with pytest.raises(errors.InvalidArgument, match="does not write into"):
                db.checkpoint(foreign)
        st.close()
        st2 = db.store(graph)  # the first is closed: the database serves another
        assert not st2.closed


def test_closing_the_database_closes_its_store_and_ingest(path, graph):
    db = tsq.SqliteStore(path)
    st = db.store(graph)
    ing = libtwin.Ingest(graph, st)
    db.bind_ingest(ing)
    st.add_twin("m", MOTOR)
    db.close()
    assert db.closed and st.closed and ing.closed
    db.close()  # idempotent
    with pytest.raises(errors.Closed):
        db.counts()
    assert repr(db) == "<libtwin.sqlite.SqliteStore closed>"


def test_dropping_everything_without_closing(path):
    def run():
        db = tsq.SqliteStore(path)
        g = libtwin.Graph()
        st = db.store(g)
        ing = libtwin.Ingest(g, st)
        db.load(g, ing)
        st.add_twin("m", MOTOR)
        sig = ing.add_signal("m", "t")
        ing.attach_health(sig, libtwin.HealthOptions(model="linear", prior_mean=(1.0, 0.0),
                                                     failure_level=5.0))
        ing.write_signals(sig, [1 * S], [1.5])

    run()
    gc.collect()  # finalizers in a safe order: ingest (unbinding), store, database
    with tsq.SqliteStore(path) as db:
        assert db.counts().samples == 1


def test_load_checks_twins_against_stored_models(path):
    model = {"@context": "dtmi:dtdl:context;3", "@id": MOTOR, "@type": "Interface",
             "contents": [{"@type": "Property", "name": "ratedKW", "schema": "double"}]}
    with tsq.SqliteStore(path) as db, libtwin.Graph() as g:
        db.put_document("dtdl", MOTOR, json.dumps(model))
        st = db.store(g)
        st.add_twin("m", MOTOR, {"ratedKW": 7.5})
        st.add_twin("stranger", "dtmi:other:Thing;1")
    with tsq.SqliteStore(path) as db:
        with libtwin.Models() as models:
            for name, body in db.documents("dtdl"):
                models.add(body, source=name)
            models.resolve()
            with libtwin.Graph(validator=models) as g:
                with pytest.raises(errors.ConstraintViolated, match="stranger"):
                    db.load(g)
                assert len(g) == 0  # all or nothing


def test_load_validator_exception_is_reraised(path):
    with tsq.SqliteStore(path) as db, libtwin.Graph() as g:
        db.store(g).add_twin("m", MOTOR)

        def check_twin(twin, model, props):
            raise RuntimeError(f"no {twin} today")

        with libtwin.Graph(validator={"check_twin": check_twin}) as g2:
            with pytest.raises(RuntimeError, match="no m today"):
                db.load(g2)
            assert len(g2) == 0


def test_user_model_health_loads_back(path):
    class Flat(libtwin.HealthModel):
        state_format = "d"

        def init(self):
            return 3.0

        def predict(self, state, t):
            return state[0]

        def update(self, state, t, value, diverged):
            return value

    m = Flat()
    with tsq.SqliteStore(path) as db, libtwin.Graph() as g:
        st = db.store(g)
        ing = libtwin.Ingest(g, st, user_model=m)
        db.bind_ingest(ing)
        st.add_twin("m", MOTOR)
        sig = ing.add_signal("m", "t")
        ing.attach_health(sig, libtwin.HealthOptions(model=m, failure_level=10.0))
        ing.write_signals(sig, [1 * S], [4.0])
        db.checkpoint(st)
        assert db.counts().health == 1
    with tsq.SqliteStore(path) as db, libtwin.Graph() as g:
        ing = libtwin.Ingest(g, db.store(g), user_model=m)
        db.load(g, ing)
        assert ing.get_health(ing.resolve("m", "t")).predict(2 * S) == 4.0


# ---- retention ---------------------------------------------------------------------------

def test_apply_retention_folds_old_samples_into_rollups(path, graph):
    with tsq.SqliteStore(path) as db:
        fill(db, graph)  # temperature at 1..100 s, 40 + 0.01 k
        stats = db.apply_retention(tsq.Retention(raw_keep_us=10 * S, bucket_us=10 * S))
        # newest raw sample 100 s: cutoff 90 s; samples 1..89 s fold into 9 buckets
        assert stats == tsq.RetentionStats(90 * S, 89 + 1, 10, 0)  # + vibration at 3 s
        c = db.counts()
        assert c.samples == 101 - 90 and c.rollups == 10
        con = sqlite3.connect(path)
        rows = con.execute("SELECT r.t_us, r.n, r.mean, r.min, r.max FROM rollups r JOIN"
                           " signals s ON s.id = r.signal WHERE s.name = 'temperature'"
                           " ORDER BY r.t_us").fetchall()
        con.close()
        assert rows[0] == (0, 9, pytest.approx(40.05), pytest.approx(40.01),
                           pytest.approx(40.09))
        assert rows[1][:2] == (10 * S, 10) and rows[1][2] == pytest.approx(40.145)
        # rollups older than rollup_keep_us go; explicit present time
        stats = db.apply_retention((10 * S, 10 * S, 50 * S), now_us=100 * S)
        # temperature's buckets 0..40 s and vibration's 0 s
        assert stats.raw_folded == 0 and stats.rollups_deleted == 6
        assert db.counts().rollups == 4


def test_checkpoint_applies_the_retention_policy(path, graph):
    with tsq.SqliteStore(path) as db:
        assert db.retention is None
        db.set_retention(tsq.Retention(20 * S, 5 * S))
        assert db.retention == (20 * S, 5 * S, 0)
        st, ing, temp, vib = fill(db, graph)  # fill checkpoints
        # newest 100 s: cutoff 80 s; temperature keeps 80..100 s, vibration (3 s) folds
        assert db.counts().samples == 21
        db.set_retention(None)
        ing.write_signals(temp, [k * S for k in range(101, 201)], [41.0] * 100)
        db.checkpoint(st)
        assert db.counts().samples == 121
        with pytest.raises(errors.InvalidArgument):
            db.set_retention((10 * S, 0))  # a bucket must be positive
        with pytest.raises(errors.InvalidArgument):
            db.apply_retention()  # no policy set


# ---- documents ---------------------------------------------------------------------------

def test_tier_policy_fold_and_read(path, graph):
    with tsq.SqliteStore(path) as db:
        db.set_policy("raw:10s, 5s:forever")
        db.set_policy("raw:20s,10s:1h", signal=("motor-C", "vibration"))
        db.set_fold_budget(0, 0)  # folded below, at once
        st, ing, temp, vib = fill(db, graph, n=3000)
        assert db.policies() == [("default", None, None, "raw:10s,5s:forever"),
                                 ("signal", "motor-C", "vibration", "raw:20s,10s:1h")]
        # more samples close the block: it is past the raw span, and folds
        ing.write_signals(temp, [k * S for k in range(3001, 5001)],
                          [40.0 + 0.01 * k for k in range(3001, 5001)])
        st.flush()
        stats = db.fold()
        assert stats.blocks_folded >= 1 and stats.bad_blocks == 0 and not stats.more
        folded = stats.samples_folded
        info = db.tier_info()
        assert [t.res_us for t in info] == [0, 5 * S]
        assert info[0].samples + info[1].samples == 5001  # + vibration's one
        # 933 buckets: 512 or so in a tier block, the rest single rows
        assert info[1].buckets > info[1].rows > 0 and info[1].bytes > 0
        buckets, ans = db.read_tier("motor-C", "temperature", 0, 5001 * S, 5 * S)
        assert ans == tsq.TierAnswer(1, 5 * S, None, True)
        assert sum(b.count for b in buckets) == 5000
        assert buckets[0] == tsq.Bucket(0, 4, pytest.approx(40.025), 40.01, 40.04, 40.01, 40.04)
        # a range the raw samples still cover: raw answers
        buckets, ans = db.read_tier("motor-C", "temperature", 4990 * S, 5001 * S, 5 * S)
        assert ans.tier == 0 and ans.complete and sum(b.count for b in buckets) == 11
        assert folded > 1000
        with pytest.raises(errors.InvalidArgument, match="spans must increase"):
            db.set_policy("raw:7d,1m:3d")
        with pytest.raises(errors.ParseError):
            db.set_policy("raw:7 days")
        with pytest.raises(errors.InvalidArgument):
            db.set_policy("raw:1d", model="dtmi:x;1", signal=("a", "b"))
        db.set_policy(None, signal=("motor-C", "vibration"))
        assert len(db.policies()) == 1


def test_documents_in_order_and_replaced(path):
    with tsq.SqliteStore(path) as db:
        db.put_document("dtdl", "dtmi:b;1", "{}")
        db.put_document("dtdl", "dtmi:a;1", '{"x": "é"}')
        db.put_document("header", "plant", "Hall 4")
        db.put_document("dtdl", "dtmi:b;1", "[]")  # replaced in place
        assert db.documents("dtdl") == [("dtmi:b;1", "[]"), ("dtmi:a;1", '{"x": "é"}')]
        assert db.documents("nothing") == []
        seen = []
        assert db.for_each_document("dtdl", lambda n, b: seen.append(n) or False) is False
        assert seen == ["dtmi:b;1"]  # False stops
        assert db.for_each_document("dtdl", lambda n, b: None) is True
        with pytest.raises(errors.InvalidArgument, match="NUL"):
            db.put_document("dtdl", "x", "a\0b")


def test_document_callback_that_raises(path):
    class Stop(Exception):
        pass

    def each(name, body):
        raise Stop(name)

    with tsq.SqliteStore(path) as db:
        db.put_document("k", "first", "1")
        db.put_document("k", "second", "2")
        with pytest.raises(Stop, match="first"):
            db.for_each_document("k", each)
        assert db.documents("k") == [("first", "1"), ("second", "2")]  # still usable


# ---- errors of the database ---------------------------------------------------------------

def test_open_errors(tmp_path, path):
    with pytest.raises(errors.IOFailure, match="cannot open"):
        tsq.SqliteStore(tmp_path / "missing.db", create=False)
    (tmp_path / "empty.db").write_bytes(b"")
    with pytest.raises(errors.IOFailure, match="no store"):
        tsq.SqliteStore(tmp_path / "empty.db", readonly=True)
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()
    with pytest.raises(errors.InvalidState, match="not a libtwin store"):
        tsq.SqliteStore(other)
    with pytest.raises(errors.InvalidArgument, match="NUL"):
        tsq.SqliteStore("bad\0name.db")
    with pytest.raises(errors.InvalidArgument):
        tsq.SqliteStore(path, busy_timeout_ms=-1)


def test_readonly_and_locked_databases(path):
    with tsq.SqliteStore(path, sync_full=True) as db:
        db.put_document("k", "n", "v")
    with tsq.SqliteStore(path, readonly=True) as ro:
        assert ro.documents("k") == [("n", "v")] and ro.counts().twins == 0
        with pytest.raises(errors.IOFailure):
            ro.put_document("k", "n2", "v")
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        with tsq.SqliteStore(path, busy_timeout_ms=0) as db:
            with pytest.raises(errors.Busy):
                db.put_document("k", "n3", "v")
    finally:
        con.execute("ROLLBACK")
        con.close()


def test_the_library_is_the_one_beside_libtwin():
    assert tsq.path is not None and tsq.load_error is None
    assert libtwin.SqliteStore is tsq.SqliteStore and libtwin.sqlite is tsq
