"""The patched qemu from the upstream build, started without a guest
(-machine none -S) on a free loopback port, for the qemu-glue tests.

    q = Qemu(UPSTREAM_ENV_FILE)      the binary; Failure if it lacks our
                                     -spice options
    p, port = q.start(procs, spice_opts, extra_args, out, err,
                      argv_prefix=(), env=None)
                                     listening on 127.0.0.1:port
"""
import os
import random
import re
import subprocess
import time

from .core import Failure, read_shell_env

BASE = ['-machine', 'none', '-display', 'none', '-monitor', 'none', '-serial', 'none',
        '-nodefaults', '-S']


def listening(port):
    out = subprocess.run(['ss', '-Hltn', 'sport = :%d' % port], stdout=subprocess.PIPE,
                         text=True).stdout
    return bool(out.strip())


def free_port():
    """A TCP port nothing uses, below the kernel's ephemeral range
    (32768-60999): no client socket there."""
    for _ in range(50):
        p = random.randrange(10000, 32000)
        out = subprocess.run(['ss', '-Htan', 'sport = :%d' % p], stdout=subprocess.PIPE,
                             text=True).stdout
        if not out.strip():
            return p
    raise Failure('no free port')


class Qemu:
    def __init__(self, env_file):
        self.binary = os.path.join(read_shell_env(env_file)['QEMU_PREFIX'], 'bin',
                                   'qemu-system-x86_64')
        if not os.access(self.binary, os.X_OK):
            raise Failure('%s is missing (scripts/build-upstream qemu)' % self.binary)
        # without the spice-server API the options compile out: that is a
        # missing feature here, not a reason to skip
        helptext = subprocess.run([self.binary, '-spice', 'help'], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True).stdout
        for opt in ('gss-delegate=', 'sasl-authz='):
            if opt not in helptext:
                raise Failure('this qemu has no -spice %s: it was built against a spice-server '
                              'without spice_server_set_sasl_gss_delegate()/'
                              'spice_server_set_sasl_authz() (server/patches/spice-server '
                              'missing?)' % opt.rstrip('='))

    def argv(self, port, spice_opts, extra_args=()):
        return [self.binary] + BASE + list(extra_args) + [
            '-spice', 'addr=127.0.0.1,port=%d,%s' % (port, spice_opts)]

    def start(self, procs, spice_opts, extra_args=(), out=None, err=None, argv_prefix=(),
              env=None):
        """Start qemu under @procs and wait (30 s at most) until it listens:
        -> (process, port). A port taken in between: another one, three
        times."""
        for _ in range(3):
            port = free_port()
            p = procs.start(list(argv_prefix) + self.argv(port, spice_opts, extra_args),
                            out=out, err=err, env=env)
            end = time.monotonic() + 30
            while p.poll() is None and time.monotonic() < end:
                if listening(port):
                    return p, port
                time.sleep(0.1)
            text = open(err, errors='replace').read() if err else ''
            if p.poll() is not None and re.search(r'binding socket to .* failed', text):
                continue
            raise Failure('qemu did not listen on %d: %s' % (port, text))
        raise Failure('no port qemu could bind')
