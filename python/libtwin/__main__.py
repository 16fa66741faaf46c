"""``python3 -m libtwin``: which libtwin (and libtwin-sqlite, -influx, -pg) the binding
loaded, from where and why, and the ones it passed over."""

import sys

import libtwin
from libtwin import influx, pg, sqlite


def main() -> int:
    print(f"libtwin {libtwin.library_version}: {libtwin.library_path}"
          f" (from {libtwin.library_origin})")
    for path, why in libtwin.library_refused:
        print(f"  refused {path}: {why}")
    if sqlite.available:
        print(f"libtwin-sqlite: {sqlite.path}")
    else:
        print(f"libtwin-sqlite: not available: {sqlite.load_error}")
    for name, mod in (("libtwin-influx", influx), ("libtwin-pg", pg)):
        if mod.available:
            print(f"{name}: {mod.path}")
        else:
            print(f"{name}: not available: {mod.load_error}")
    print(f"binding: {libtwin.__file__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
