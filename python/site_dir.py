"""The site-packages directory of this interpreter for an installation
prefix (python/meson.build): python3 site_dir.py PREFIX."""

import os
import sys
import sysconfig

prefix = os.path.normpath(sys.argv[1])
schemes = sysconfig.get_scheme_names()
default = sysconfig.get_path("purelib")
in_venv = sys.prefix != sys.base_prefix
if not in_venv and "deb_system" in schemes and prefix == os.path.normpath(sys.prefix):
    # Debian's python3 for the prefix /usr: /usr/lib/python3/dist-packages.
    path = sysconfig.get_path("purelib", "deb_system")
elif default.startswith(prefix + os.sep):
    # The default scheme's directory is under the prefix (Debian's
    # /usr/local/lib/python3.X/dist-packages, a venv, ...).
    path = default
else:
    path = sysconfig.get_path("purelib", "posix_prefix", vars={"base": prefix, "platbase": prefix})
print(path)
