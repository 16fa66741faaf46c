#!/usr/bin/env python3
"""Load a directory of DTDL models, resolve them, and summarise what they hold.

    dtdl_models.py DIR              load every *.json under DIR, then resolve
    dtdl_models.py DIR ROOT_DTMI    load only the file defining ROOT_DTMI; the
                                    resolver pulls in what it references, on demand

Without DIR, the RealEstateCore ontology of ../shared/corpus/dtdl is used
when present. A file that breaks a DTDL rule is reported with its
diagnostics (rule code, line and column) and skipped.

Run from the repository with LIBTWIN_LIBRARY=build/lib/libtwin.so.1.
"""

import collections
import json
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
_IN_TREE = os.path.join(_HERE, "..", "..", "python")
if os.path.isdir(os.path.join(_IN_TREE, "libtwin")):
    sys.path.insert(0, os.path.normpath(_IN_TREE))

import libtwin  # noqa: E402

DEFAULT_DIR = os.path.normpath(os.path.join(_HERE, "..", "..", "..", "shared", "corpus", "dtdl",
                                            "realestatecore"))


def json_files(directory):
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".json"):
                yield os.path.join(root, name)


def index_by_id(directory):
    """DTMI -> file, for the documents of a directory (each an object or an array)."""
    index = {}
    for path in json_files(directory):
        try:
            with open(path, encoding="utf-8-sig") as f:
                doc = json.load(f)
        except (OSError, ValueError):
            continue
        for d in doc if isinstance(doc, list) else [doc]:
            if isinstance(d, dict) and isinstance(d.get("@id"), str):
                index[d["@id"]] = path
    return index


def report(e, path=None):
    print(f"  {type(e).__name__}: {e}" if path is None else f"  {path}: {type(e).__name__}")
    for d in e.diagnostics[:5]:
        print(f"    {d}")
    if len(e.diagnostics) > 5:
        print(f"    ... and {len(e.diagnostics) - 5} more")


def load_all(models, directory):
    loaded = skipped = 0
    for path in json_files(directory):
        try:
            models.add_file(path)
            loaded += 1
        except libtwin.TwinError as e:  # nothing of that file was added
            skipped += 1
            report(e, os.path.relpath(path, directory))
    print(f"{loaded} files loaded, {skipped} skipped")


def load_on_demand(directory, root):
    index = index_by_id(directory)
    if root not in index:
        sys.exit(f"{root} is defined by no file of {directory}")
    read = {index[root]}
    fetched = []

    def resolver(models, dtmis):
        # Called by resolve() with the DTMIs referenced and not yet defined,
        # once per round, until nothing new is added. A file may define
        # several of them: each is added once.
        for dtmi in dtmis:
            path = index.get(dtmi)
            if path is not None and path not in read:
                read.add(path)
                models.add_file(path)
                fetched.append(path)

    models = libtwin.Models(resolver=resolver)
    models.add_file(index[root])
    return models, fetched


def summary(models):
    ifaces = models.interfaces
    versions = collections.Counter(i.version for i in ifaces)
    print(f"{len(ifaces)} interfaces (" +
          ", ".join(f"{n} DTDL v{v}" for v, n in sorted(versions.items())) + ")")

    own = collections.Counter()
    full = collections.Counter()
    semantic = collections.Counter()
    units = collections.Counter()
    relationships = collections.Counter()
    for i in ifaces:
        for c in i.own_contents:
            own[c.kind.name.lower()] += 1
            if c.semantic_type:
                semantic[c.semantic_type] += 1
            if c.unit:
                units[c.unit] += 1
            if c.kind is libtwin.Kind.RELATIONSHIP:
                relationships[c.name] += 1
        for c in i.contents:
            full[c.kind.name.lower()] += 1

    print("\ncontents per kind     declared   with inherited")
    for kind, n in own.most_common():
        print(f"  {kind:<18} {n:>9} {full[kind]:>16}")

    def depth(i):
        return 1 + max((depth(p) for p in i.extends), default=0)

    deepest = max(ifaces, key=depth, default=None)
    if deepest is not None:
        chain, i = [], deepest
        while i is not None:
            chain.append(i.display_name() or i.id)
            i = i.extends[0] if i.extends else None
        print(f"\ndeepest hierarchy ({depth(deepest)} levels): " + " -> ".join(chain))
        richest = max(ifaces, key=lambda i: len(i.contents) - len(i.own_contents))
        print(f"most inherited contents: {richest.id}: {len(richest.contents)} contents, "
              f"{len(richest.own_contents)} of them its own")

    print(f"\nsemantic types used ({len(semantic)}):")
    for name, n in semantic.most_common(10):
        print(f"  {name:<24} {n}")
    print(f"units used ({len(units)}):")
    for name, n in units.most_common(10):
        print(f"  {name:<24} {n}")
    print(f"most common relationships ({len(relationships)} names):")
    for name, n in relationships.most_common(5):
        print(f"  {name:<24} {n}")


def main(argv):
    directory = argv[1] if len(argv) > 1 else DEFAULT_DIR
    if not os.path.isdir(directory):
        sys.exit(f"usage: {argv[0]} DIR [ROOT_DTMI]  ({directory} is not a directory)")
    if len(argv) > 2:
        models, fetched = load_on_demand(directory, argv[2])
    else:
        models, fetched = libtwin.Models(), None
        load_all(models, directory)
    with models:
        try:
            models.resolve()
        except libtwin.TwinError as e:
            print("resolve failed:")
            report(e)
            return 1
        if fetched is not None:
            print(f"the resolver read {len(fetched)} more files")
        summary(models)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
