#!/usr/bin/env python3
"""Factory demo in Python: a welding cell as an asset graph.

A conveyor motor drives conveyor segment C, which runs through station 4
where a welding robot works, and feeds inspection zone 2, then packing.
Upstream, a supplier line feeds conveyor B. The motor degrades: who is
affected, and how badly?

Modelling: a part points at its whole (partOf), equipment at the place it
is in (locatedIn), material flows downstream (feeds). A degraded motor harms
its wholes (partOf outgoing), what they feed (feeds outgoing) and what is
located in them (locatedIn incoming); not the other parts of a whole, nor
anything upstream.

Run from the repository with LIBTWIN_LIBRARY=build/lib/libtwin.so.1.
"""

import os
import sys

_IN_TREE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python")
if os.path.isdir(os.path.join(_IN_TREE, "libtwin")):
    sys.path.insert(0, os.path.normpath(_IN_TREE))

import libtwin  # noqa: E402

MODELS = {
    "supplier-line": ("dtmi:factory:Line;1", "Supplier line"),
    "conveyor-B": ("dtmi:factory:Conveyor;1", "Conveyor segment B"),
    "motor-B": ("dtmi:factory:Motor;1", "Drive motor B"),
    "station-3": ("dtmi:factory:Station;1", "Station 3 (pre-assembly)"),
    "robot-3": ("dtmi:factory:Robot;1", "Handling robot 3"),
    "conveyor-C": ("dtmi:factory:Conveyor;1", "Conveyor segment C"),
    "motor-C": ("dtmi:factory:Motor;1", "Drive motor C"),
    "station-4": ("dtmi:factory:Station;1", "Station 4 (welding)"),
    "welding-robot": ("dtmi:factory:Robot;1", "Welding robot"),
    "clamp-fixture": ("dtmi:factory:Fixture;1", "Clamp fixture"),
    "inspection-zone-2": ("dtmi:factory:InspectionZone;1", "Inspection zone 2"),
    "packing": ("dtmi:factory:PackingCell;1", "Packing cell"),
}

RELATIONSHIPS = [  # source, name, target
    ("supplier-line", "feeds", "conveyor-B"),
    ("motor-B", "partOf", "conveyor-B"),
    ("conveyor-B", "partOf", "station-3"),
    ("robot-3", "locatedIn", "station-3"),
    ("conveyor-B", "feeds", "conveyor-C"),
    ("motor-C", "partOf", "conveyor-C"),
    ("conveyor-C", "partOf", "station-4"),
    ("welding-robot", "locatedIn", "station-4"),
    ("clamp-fixture", "partOf", "station-4"),
    ("conveyor-C", "feeds", "inspection-zone-2"),
    ("inspection-zone-2", "feeds", "packing"),
]

DOWNSTREAM = [("partOf", "out"), ("feeds", "out"), ("locatedIn", "in")]


class FactoryRules:
    """A validator: known relationship names, motors with a positive rating."""

    def check_twin(self, twin_id, model, properties):
        plate = properties.get("nameplate", {})
        if model == "dtmi:factory:Motor;1" and plate.get("ratedPowerKW", 1) <= 0:
            raise libtwin.ConstraintViolated(f"{twin_id}: ratedPowerKW must be positive")
        return True

    def check_relationship(self, name, source_model, target_model, properties):
        return name in ("partOf", "feeds", "locatedIn")


def build(g):
    for twin_id, (model, name) in MODELS.items():
        g.add_twin(twin_id, model, {"displayName": name})
    for source, name, target in RELATIONSHIPS:
        g.add_relationship(source, f"{name}-{target}", name, target)
    g.set_property("motor-C", "nameplate",
                   {"manufacturer": "ACME Drives", "ratedPowerKW": 7.5, "serial": 40213})
    g.set_property("motor-C", "speedSetpointsRpm", [900, 1200, 1500])
    g.set_property("welding-robot", "program", {"name": "W-114", "weldsPerHour": 240})
    g.set_relationship_property("conveyor-C", "feeds-inspection-zone-2", "partsPerMinute", 12)


def show_hits(hits):
    print(f"  {'depth':<5} {'twin':<18} {'score':<6} reached by")
    for h in hits:
        via = f"{h.via_source} -{h.via_name}-> {h.via_target}" if h.via_id else "(root)"
        print(f"  {h.depth:<5} {h.twin:<18} {h.score:<6.2f} {via}")


def main():
    print(f"libtwin {libtwin.library_version}: factory demo (Python)\n")
    with libtwin.Graph(validator=FactoryRules()) as g:
        build(g)
        print(f"Twins ({g.twin_count()}) and relationships ({g.relationship_count()}):")
        for twin in g.twins():
            props = " ".join(f"{k}={v!r}" for k, v in g.properties(twin.id).items()
                             if k != "displayName")
            print(f"  {twin.id:<18} {twin.model:<32} {props}".rstrip())

        print("\nWhat is in station-4 (incoming relationships)?")
        for r in g.relationships("station-4", direction="in"):
            print(f"  {r.source:<18} -{r.name}-> {r.target}")
        print("What does conveyor-C feed, and what feeds it?")
        for r in g.relationships("conveyor-C", direction="both", name="feeds"):
            print(f"  {r.source:<18} -{r.name}-> {r.target} {r.properties or ''}".rstrip())

        g.optimize()
        with libtwin.Impact(g) as q:
            print("\nmotor-C degrades to health 0.2; each hop passes on half the loss:")
            show_hits(q.run("motor-C", follow=DOWNSTREAM, rule="attenuate",
                            attenuation=0.5, root_health=0.2))

            print("\nSame, weakest link, with the welding robot's own health at 0.35:")
            show_hits(q.run("motor-C", follow=DOWNSTREAM, root_health=0.6,
                            health={"welding-robot": 0.35}))

            print("\nInspection zone 2 is shut for maintenance: a filter that reads the")
            print("twins' properties prunes it, and nothing is reached through it:")
            g.set_property("inspection-zone-2", "inMaintenance", True)
            open_twins = q.run("motor-C", follow=DOWNSTREAM, rule="attenuate", root_health=0.2,
                               filter=lambda twin, model, depth:
                               not g.properties(twin).get("inMaintenance", False))
            print("  " + ", ".join(f"{h.twin} ({h.score:.2f})" for h in open_twins))

            print("\nStreaming: stop at the first twin outside the conveyor line:")
            first = q.run("motor-C", follow=DOWNSTREAM,
                          visitor=lambda h: h.model not in ("dtmi:factory:Motor;1",
                                                            "dtmi:factory:Conveyor;1"))
            print(f"  stopped at {first[-1].twin} after {len(first)} twins")

        print("\nRefused changes, with the reason:")
        for what, change in [
            ("duplicate twin", lambda: g.add_twin("motor-C", "dtmi:factory:Motor;1")),
            ("remove a connected twin", lambda: g.remove_twin("motor-C")),
            ("unknown relationship", lambda: g.add_relationship(
                "welding-robot", "x", "likes", "packing")),
            ("bad nameplate", lambda: g.set_property(
                "motor-C", "nameplate", {"ratedPowerKW": -1})),
        ]:
            try:
                change()
            except libtwin.TwinError as e:
                print(f"  {what}: {type(e).__name__}: {e}")

        g.remove_twin("motor-C", cascade=True)
        print(f"\nDecommissioned motor-C with its relationships: {g.twin_count()} twins, "
              f"{g.relationship_count()} relationships left")


if __name__ == "__main__":
    main()
