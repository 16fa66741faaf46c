"""Shared fixtures: the in-tree package on sys.path, fresh graphs, and the
factory graph of the impact examples."""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON_DIR = os.path.dirname(HERE)
REPO = os.path.dirname(PYTHON_DIR)
sys.path.insert(0, PYTHON_DIR)

import libtwin  # noqa: E402

MACHINE = "dtmi:test:Machine;1"


@pytest.fixture
def graph():
    g = libtwin.Graph()
    yield g
    g.close()


def build(g, spec):
    """Add twins and relationships from "a>b:name c>d e" (name defaults to
    feeds; the relationship id is "<name>-<target>"), as the C tests do."""
    for tok in spec.split():
        if ">" not in tok:
            if tok not in g:
                g.add_twin(tok, MACHINE)
            continue
        src, rest = tok.split(">")
        dst, _, name = rest.partition(":")
        name = name or "feeds"
        for t in (src, dst):
            if t not in g:
                g.add_twin(t, MACHINE)
        g.add_relationship(src, f"{name}-{dst}", name, dst)
    return g


# The factory of the impact examples: a part points at its whole (partOf),
# equipment at the place it is in (locatedIn), material flows downstream
# (feeds).
FACTORY = ("motor-C>conveyor-C:partOf conveyor-C>station-4:partOf "
           "welding-robot>station-4:locatedIn clamp-fixture>station-4:partOf "
           "conveyor-C>inspection-zone-2 inspection-zone-2>packing "
           "supplier-line>conveyor-B conveyor-B>conveyor-C motor-B>conveyor-B:partOf "
           "conveyor-B>station-3:partOf robot-3>station-3:locatedIn")

FACTORY_FOLLOW = [("partOf", "out"), ("feeds", "out"), ("locatedIn", "in")]


@pytest.fixture
def factory(graph):
    return build(graph, FACTORY)


def scores(hits):
    return {h.twin: round(h.score, 9) for h in hits}


def names(hits):
    return [h.twin for h in hits]
