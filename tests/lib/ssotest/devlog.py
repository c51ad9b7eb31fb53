"""A private /dev/log for a test, so what programs send to syslog(3) (PAM
modules through pam_syslog, daemons) can be read and asserted on (the
Python side of tests/lib/devlog.sh). Only inside a private mount namespace
(unshare -m --propagation private): /dev is replaced there by a tmpfs
holding bind mounts of the real device nodes plus our socket; nothing
outside the namespace sees it.

    log = ssotest.devlog.DevLog(FILE)   receive datagrams into FILE, one
                                        line each (a thread of this process)
    log.stop()
"""
import os
import shutil
import socket
import subprocess
import tempfile
import threading

from .core import Failure


def _mount(*args):
    r = subprocess.run(['mount'] + list(args), stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise Failure('mount %s: %s' % (' '.join(args), r.stderr.strip()))


class DevLog:
    def __init__(self, path):
        if os.getuid() != 0:
            raise Failure('devlog: needs root')
        old = tempfile.mkdtemp(prefix='spice-sso-olddev.', dir='/tmp')
        _mount('--rbind', '/dev', old)
        try:
            _mount('-t', 'tmpfs', '-o', 'mode=755,size=64k', 'devlog', '/dev')
            for n in os.listdir(old):
                e = os.path.join(old, n)
                d = os.path.join('/dev', n)
                if os.path.islink(e):
                    os.symlink(os.readlink(e), d)
                elif os.path.isdir(e):
                    os.mkdir(d)
                    _mount('--rbind', e, d)
                else:
                    open(d, 'w').close()
                    _mount('--bind', e, d)
        finally:
            subprocess.run(['umount', '-l', old])
            shutil.rmtree(old, ignore_errors=True)
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind('/dev/log')
        os.chmod('/dev/log', 0o666)
        self.out = open(path, 'a', buffering=1)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                return
            if not data:  # shut down
                return
            self.out.write(data.decode('utf-8', 'replace').rstrip('\n') + '\n')

    def stop(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(2)
        self.out.close()
