"""The same as remote-viewer with our spice-client-glib package installed
with apt, not a build directory: remote-viewer runs in a clean Debian 12
root where apt installed virt-viewer and our libspice-client-glib-2.0-8 /
libspice-client-gtk-3.0-5 (tests/vm/client-root; skipped, saying so, when
scripts/package has not built them)."""

import os
import re
import subprocess
import sys

from vm_sso import VM_DIR, check


def run(r):
    p = subprocess.run([os.path.join(VM_DIR, 'client-root'), 'bookworm'], stdout=subprocess.PIPE,
                       text=True)
    if p.returncode == 77:
        print('SKIP  our spice-client-glib package is not built (tests/vm/client-root said why)',
              flush=True)
        sys.exit(77)
    out = dict(line.split('=', 1) for line in p.stdout.splitlines() if '=' in line)
    check(p.returncode == 0 and 'CLIENT_ROOT' in out and out.get('LOCAL_SUFFIX'),
          'a Debian 12 root with virt-viewer and our client packages (tests/vm/client-root)')
    root, suffix = out['CLIENT_ROOT'], out['LOCAL_SUFFIX']
    with open(os.path.join(os.path.dirname(root), 'installed')) as f:
        installed = f.read()
    print('installed in the client root:\n' + installed, flush=True)
    check(re.search(r'^libspice-client-glib-2\.0-8(:\w+)?\s+\S+' + re.escape(suffix) + '$',
                    installed, re.M) is not None,
          'the client root has our libspice-client-glib-2.0-8 package (%s)' % suffix)
    check(re.search(r'^virt-viewer\s+\S+$', installed, re.M) is not None
          and suffix not in re.search(r'^virt-viewer\s+(\S+)$', installed, re.M).group(1),
          'the client root has Debian\'s own virt-viewer')
    r.boot()
    start = len(r.g.markers)
    n = r.server_count()
    c = r.remote_viewer_packaged('alice', root)
    r.viewer_login(c, start, n)
