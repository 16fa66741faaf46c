#!/usr/bin/env python3
"""Compare two bulk-import (NDJSON) graph files as JSON, modulo what
twinctl's import and export normalise:

- whitespace, key order within objects, and number spelling (1e2 == 100.0);
- a Models line holding an array of Interfaces counts as one line each;
- "$etag" and every "$metadata" member but "$model" are dropped (a
  Component's "$metadata" becomes {});
- relationships are compared as a set keyed by (source, id).

    ndjson_equal.py A B     exit 0 when equal, 1 (with the difference) when not
"""
import json
import sys


def strip_meta(v, top):
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            if k == "$etag":
                continue
            if k == "$metadata":
                out[k] = {"$model": x["$model"]} if top else {}
                continue
            out[k] = strip_meta(x, False)
        return out
    if isinstance(v, list):
        return [strip_meta(x, False) for x in v]
    return v


def load(path):
    sections = {"Header": [], "Models": [], "Twins": [], "Relationships": {}}
    current = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            v = json.loads(line)
            if isinstance(v, dict) and list(v) == ["Section"]:
                current = v["Section"]
                continue
            if current == "Models" and isinstance(v, list):
                sections["Models"].extend(v)
            elif current == "Relationships":
                key = (v.get("$dtId"), v.get("$relationshipId"))
                sections["Relationships"][key] = strip_meta(v, True)
            elif current == "Twins":
                sections["Twins"].append(strip_meta(v, True))
            else:
                sections[current].append(v)
    return sections


def main(a, b):
    x, y = load(a), load(b)
    for name in x:
        if x[name] != y[name]:
            print(f"ndjson_equal: {a} and {b} differ in section {name}:")
            xs = x[name] if isinstance(x[name], list) else sorted(x[name].items())
            ys = y[name] if isinstance(y[name], list) else sorted(y[name].items())
            for p, q in zip(xs, ys):
                if p != q:
                    print(f"  {p}\n  {q}")
                    break
            else:
                print(f"  {len(xs)} against {len(ys)} items")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
