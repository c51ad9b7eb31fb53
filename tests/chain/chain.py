"""The single sign-on chain on one host, without a VM, for the chain suite
(tests/chain/test-chain) and the benchmark (tests/chain/chain-run).

Real, all of it: the throwaway MIT realm (tests/with-realm); the patched
spice-server in tests/host/spice-test-host (SASL GSSAPI, delegation on),
run as spice-host.spice.test (tests/lib/spice-host-ns); its agent
character device bridged to a UNIX socket on which the patched
spice-vdagentd runs (vdagentd -s SOCKET, the UNIX-socket fallback of its
virtio-port code); the real pam_vdagent_sso in the shipped gdm-ovirtcred
service; the spice-gtk client, client/spice-sso-connect on the patched
libspice-client-glib (or on Debian's), with --spice-gss-delegate and a
forwardable TGT of the user's.

Emulated, as in the guest-integration tests and for the same reasons
(tests/guest/vdagentd_harness.py): the seat (logind's /run/systemd files),
logind's D-Bus API (python3-dbusmock), the greeter and GDM's worker (the
greeter emulator), accounts (nss_wrapper), the system bus (a private
dbus-daemon with Debian's policy). What logind does when GDM opens a session
(a user session on the seat) the tests do by hand once the greeter reports
it.

Every line any actor prints is kept with its arrival time
(time.monotonic()), so a login yields a timeline: Chain.timeline(). Nothing
here asserts a time.

    chain = Chain()          # (inside tests/with-realm, as root; re-executes
    chain.start()            #  the program in a private mount namespace)
    greeter = chain.greeter()
    client = chain.connect('alice')
    chain.wait_login(greeter)
    for step in chain.timeline(client, greeter): ...
    chain.stop()

For loops of logins (tests/chain/chain-run, the benchmark): Chain.login()
runs one up to the session's klist and Chain.end_login() logs out,
disconnects and lets go of the run's processes and files. Chain(wrap=...)
runs the actors under a wrapper (valgrind): wrap(name) -> argv prefix for
'spice-test-host', 'vdagentd', 'greeter' and 'client'.
"""
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
PLAIN = os.environ.get('SPICE_SSO_PLAIN') or os.path.join(TOP, '_build', 'plain')
# meson sets these; a benchmark run from the shell gets the plain build's
for var, path in (('SSO_TOOL', 'tests/guest/vdagentd-sso-tool'),
                  ('GREETER', 'tests/guest/greeter-emulator'),
                  ('PAM_MODULE', 'vdagent/pam/pam_vdagent_sso.so'),
                  ('SSO_HELPER', 'vdagent/helper/spice-vdagent-sso-helper'),
                  ('SPICE_TEST_HOST', 'tests/host/spice-test-host'),
                  ('SPICE_SSO_CONNECT', 'client/spice-sso-connect'),
                  ('AGENT_STANDIN', 'tests/server/agent-standin')):
    os.environ.setdefault(var, os.path.join(PLAIN, path))
os.environ.setdefault('UPSTREAM_ENV', os.path.join(PLAIN, '..', 'upstream.env'))
os.environ.setdefault('TOP', TOP)
sys.path.insert(0, os.path.join(TOP, 'tests', 'guest'))

from vdagentd_harness import (  # noqa: E402
    ALICE_UID, GREETER_UID, PAM_MODULE, SESSION_PROBE, Failure, Guest, Skip, TimedLines, check,
    wait_for)
from login_checks import left_in_cache_dir  # noqa: E402
from ssotest.core import stop_proc  # noqa: E402  (tests/lib, on the path vdagentd_harness sets)

NS = os.path.join(TOP, 'tests', 'lib', 'spice-host-ns')
SPICE_TEST_HOST = os.environ['SPICE_TEST_HOST']
SPICE_SSO_CONNECT = os.environ['SPICE_SSO_CONNECT']
FQDN = os.environ.get('REALM_SPICE_HOST', 'spice-host.spice.test')
DEBIAN_CLIENT_LIBDIR = '/usr/lib/x86_64-linux-gnu'


def names_mapped():
    """Whether this mount namespace's /etc/hosts already maps FQDN to
    127.0.0.1 (tests/bench/run-bench's does): then clients need no
    spice-host-ns, whose own start (about 10 ms of mktemp, unshare, mount)
    would otherwise count in a benchmark's client start."""
    try:
        with open('/etc/hosts') as f:
            return any(l.split()[:1] == ['127.0.0.1'] and FQDN in l.split()[1:] for l in f)
    except OSError:
        return False


def no_wrap(name):
    return []


def kinit(path, principal, forwardable=True):
    """A TGT of @principal's (the realm's password) in the FILE cache @path."""
    with open(os.path.join(os.environ['REALM_DIR'], 'password')) as pw:
        subprocess.run(['kinit', '-f' if forwardable else '-F', principal],
                       stdin=pw, stdout=subprocess.DEVNULL, check=True,
                       env=dict(os.environ, KRB5CCNAME='FILE:' + path))
    return path


def close_pipes(p):
    """Close our ends of a finished child's standard input and output."""
    for f in (p.stdin, p.stdout):
        if f:
            f.close()


class RemoteViewer:
    """Debian's remote-viewer (package virt-viewer), unmodified, as the
    user: `remote-viewer --spice-gss-delegate spice://FQDN:PORT` on its own
    Xvfb display, under spice-host-ns client. @libdir, when given, is put
    first on LD_LIBRARY_PATH: the directory of a patched
    libspice-client-glib-2.0.so.8 (the build's, or an installed package's
    root); None uses what the system has installed. @root, when given, is
    a root where apt installed virt-viewer and our client packages
    (tests/vm/client-root): remote-viewer runs chrooted there, with paths
    (@ccache, KRB5_CONFIG) that must exist inside it. Its standard error
    (spice-gtk's debug lines with --spice-debug) is a TimedLines; it stays
    connected until stop()."""

    def __init__(self, workdir, name, port, ccache, libdir=None, root=None):
        for prog in ('remote-viewer', 'Xvfb'):
            if not shutil.which(prog):
                raise Failure('%s is not installed (scripts/setup installs virt-viewer and xvfb)'
                              % prog)
        self.name = name
        self.ccache = ccache
        self.xvfb = None
        self.proc = None
        home = os.path.join(workdir, 'home-' + name)
        os.makedirs(os.path.join(home, 'run'), 0o700, exist_ok=True)
        # Xvfb picks a free display and writes its number on the pipe
        rfd, wfd = os.pipe()
        self.xvfb = subprocess.Popen(['Xvfb', '-displayfd', str(wfd), '-nolisten', 'tcp',
                                      '-screen', '0', '1024x768x24'], pass_fds=(wfd,),
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(workdir, 'xvfb-%s.err' % name), 'w'))
        os.close(wfd)
        with os.fdopen(rfd) as f:
            display = f.readline().strip()
        if not display.isdigit():
            stop_proc(self.xvfb)
            raise Failure('Xvfb did not start (see xvfb-%s.err)' % name)
        env = {k: v for k, v in os.environ.items()
               if k in ('PATH', 'LANG', 'REALM', 'KRB5_CONFIG')}
        env.update(DISPLAY=':' + display, HOME=home, XDG_RUNTIME_DIR=os.path.join(home, 'run'),
                   KRB5CCNAME='FILE:' + ccache, NO_AT_BRIDGE='1', GDK_BACKEND='x11')
        if libdir:
            env['LD_LIBRARY_PATH'] = libdir
        uri = 'spice://%s:%d' % (FQDN, port)
        args = ([] if names_mapped() else [NS, 'client'])
        if root:
            # a root where apt installed the client (tests/vm/client-root):
            # its own /proc in a mount namespace that vanishes with it
            args += ['unshare', '--mount', '--propagation', 'private', 'sh', '-c',
                     'mount -t proc proc "$0/proc" || exit 97; exec chroot "$0" "$@"', root]
        args += ['remote-viewer', '--spice-gss-delegate', '--spice-debug', uri]
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.out = TimedLines(self.proc.stderr, os.path.join(workdir, 'remote-viewer-%s.err'
                                                             % name))

    def stop(self):
        stop_proc(self.proc)
        stop_proc(self.xvfb)
        if self.proc is not None:
            self.out.join()


class SpiceHost:
    """spice-test-host: the patched libspice-server with SASL, delegation
    and an agent socket, as spice-host.spice.test. Its event lines (stdout)
    and spice-server's log (stderr: the sso: lines) are TimedLines."""

    def __init__(self, workdir, gss_delegate=True, authz_allow=(), wrap=no_wrap, stop_timeout=5):
        self.dir = workdir
        self.wrap = wrap
        self.stop_timeout = stop_timeout
        self.gss_delegate = gss_delegate
        self.authz_allow = list(authz_allow)
        self.agent_socket = os.path.join(workdir, 'agent-port.sock')
        self.proc = None
        self.port = None

    def start(self):
        if not os.access(SPICE_TEST_HOST, os.X_OK):
            raise Skip('no spice-test-host at %s (scripts/build-own)' % SPICE_TEST_HOST)
        sasl = os.path.join(self.dir, 'sasl')
        rcache = os.path.join(self.dir, 'rcache')
        os.makedirs(sasl, 0o700, exist_ok=True)
        os.makedirs(rcache, 0o700, exist_ok=True)
        # as a deployment should: only the Kerberos mechanisms (this also
        # keeps the list short enough for spice-gtk, docs/client.md)
        with open(os.path.join(sasl, 'spice-test.conf'), 'w') as f:
            f.write('mech_list: gssapi gss-spnego\nkeytab: %s\n' % os.environ['SPICE_KEYTAB'])
        env = dict(os.environ, KRB5_KTNAME=os.environ['SPICE_KEYTAB'], SASL_CONF_PATH=sasl,
                   KRB5RCACHEDIR=rcache)
        env.pop('KRB5CCNAME', None)
        # freed but unwiped memory must stay visible to the memory scans
        env['MALLOC_PERTURB_'] = '0'
        args = [NS, 'server'] + self.wrap('spice-test-host') + [
            SPICE_TEST_HOST, '--agent-socket', self.agent_socket]
        if self.gss_delegate:
            args.append('--gss-delegate')
        for p in self.authz_allow:
            args += ['--authz-allow', p]
        self.proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.out = TimedLines(self.proc.stdout, os.path.join(self.dir, 'host.out'))
        self.err = TimedLines(self.proc.stderr, os.path.join(self.dir, 'host.err'))
        try:
            self.out.wait(r'^ready ', 60, what='spice-test-host')
        except Failure:
            raise Failure('spice-test-host did not start:\n' + self.err.text())
        self.port = int(re.search(r'^listening .* port=(\d+)', self.out.text(), re.M).group(1))
        return self

    def sso(self, pattern, start=0.0):
        """The first 'sso:' log line of spice-server matching @pattern."""
        return self.err.when(r'sso: ' + pattern, start)

    def stop(self):
        stop_proc(self.proc, self.stop_timeout)
        for t in (getattr(self, 'out', None), getattr(self, 'err', None)):
            if t:
                t.join()


class Client:
    """client/spice-sso-connect as the user: the patched
    libspice-client-glib, or Debian's (debian=True: LD_LIBRARY_PATH), under
    spice-host-ns client unless names_mapped(). It stays connected until
    disconnect() closes its standard input."""

    def __init__(self, workdir, name, port, ccache, delegate=True, debian=False, extra=(),
                 wrap=no_wrap):
        if not os.access(SPICE_SSO_CONNECT, os.X_OK):
            raise Skip('no spice-sso-connect at %s (scripts/build-own)' % SPICE_SSO_CONNECT)
        self.name = name
        self.ccache = ccache
        args = ([] if names_mapped() else [NS, 'client']) + wrap('client') + [
            SPICE_SSO_CONNECT, '--host', FQDN, '--port', str(port), '--timeout', '30']
        if delegate:
            args.append('--spice-gss-delegate')
        args += list(extra)
        env = dict(os.environ, KRB5CCNAME='FILE:' + ccache)
        env.pop('KRB5_KTNAME', None)
        env.pop('LD_LIBRARY_PATH', None)
        if debian:
            lib = os.path.join(DEBIAN_CLIENT_LIBDIR, 'libspice-client-glib-2.0.so.8')
            if not os.path.exists(lib):
                raise Failure("Debian's libspice-client-glib-2.0-8 is not installed "
                              '(scripts/setup installs it)')
            env['LD_LIBRARY_PATH'] = DEBIAN_CLIENT_LIBDIR
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(args, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=open(os.path.join(workdir, 'client-%s.err' % name),
                                                 'w'))
        self.out = TimedLines(self.proc.stdout, os.path.join(workdir, 'client-%s.out' % name))
        self.find, self.when = self.out.find, self.out.when
        self.timeout = 15

    def wait(self, pattern, timeout=30):
        return self.out.wait(pattern, timeout, what='client %s event' % self.name)

    def wait_connected(self, timeout=30):
        """The main channel is open (SASL done, link accepted)."""
        if self.out.wait(r'^connected channel=main |^exit ', timeout)[1].startswith('exit'):
            raise Failure('client %s did not connect:\n%s' % (self.name, self.out.text()))

    def auth_refused(self, timeout=60):
        """Wait for the client to give up; -> whether it was refused at the
        main channel's link (its SASL authentication failed), opened no
        channel and exited 1."""
        self.wait(r'^exit ', timeout)
        return (bool(self.find(r'^error channel=main id=0 event=auth ')) and
                not self.find(r'^connected ') and self.proc.wait(10) == 1)

    def disconnect(self, timeout=None):
        """Close its standard input: a clean disconnect. -> exit status."""
        timeout = timeout or self.timeout
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except BrokenPipeError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                raise Failure('client %s did not exit after its stdin closed' % self.name)
        self.out.join()
        return self.proc.returncode

    def stop(self):
        stop_proc(self.proc)

    def release(self):
        """After disconnect(): close the pipes, remove the TGT's cache."""
        close_pipes(self.proc)
        os.unlink(self.ccache)


class Chain:
    """The whole chain: a guest without a VM (vdagentd_harness.Guest, with
    the real PAM module, the compiled-in socket paths and syslog), the
    patched spice-server host whose agent socket vdagentd serves, and
    clients."""

    def __init__(self, gss_delegate=True, authz_allow=(), ccache=None, ttl=60, wrap=no_wrap,
                 stop_timeout=5):
        if PAM_MODULE is None or not os.path.exists(PAM_MODULE):
            raise Skip('PAM_MODULE is not built (%s)' % PAM_MODULE)
        for v in ('REALM', 'REALM_DIR', 'SPICE_KEYTAB', 'HOST_KEYTAB'):
            if not os.environ.get(v):
                raise Skip('%s is not set: run inside tests/with-realm' % v)
        self.realm = os.environ['REALM']
        self.clients = []
        self.wrap = wrap
        self.stop_timeout = stop_timeout
        # enters a private mount namespace (re-executing this program once)
        self.guest = Guest(pam_module=PAM_MODULE, system_paths=True, syslog=True, ccache=ccache,
                           ttl=ttl, wrap=wrap, stop_timeout=stop_timeout)
        self.dir = self.guest.dir
        self.host = SpiceHost(self.dir, gss_delegate=gss_delegate, authz_allow=authz_allow,
                              wrap=wrap, stop_timeout=stop_timeout)

    def principal(self, user):
        return '%s@%s' % (user, self.realm)

    def start(self):
        self.host.start()
        # stopped with the guest's processes, by PID (vdagentd_harness.run
        # stops the guests of a failed case)
        self.guest.procs.append(self.host.proc)
        self.guest.start(port=self.host.agent_socket)
        self.host.out.wait(r'^agent-attached$', 60, what='spice-test-host')
        self.guest.wait_log(r'opening vdagent virtio channel', 60)
        return self

    def tgt(self, user='alice', forwardable=True):
        """A TGT of @user's in a 0600 cache file of the test's -> path."""
        return kinit(os.path.join(self.dir, 'tgt-%s-%d' % (user, len(self.clients))),
                     self.principal(user), forwardable)

    def connect(self, user='alice', delegate=True, debian=False, forwardable=True, extra=()):
        """A new client of @user's with a fresh TGT -> Client."""
        ccache = self.tgt(user, forwardable)
        c = Client(self.dir, '%s-%d' % (user, len(self.clients)), self.host.port, ccache,
                   delegate=delegate, debian=debian, extra=extra, wrap=self.wrap)
        self.clients.append(c)
        self.guest.procs.append(c.proc)
        return c

    def greeter(self, *args, hold=True):
        """The login screen (or with '--unlock', USER, that user's unlock
        dialog); its session command is the PAM tests' session-probe."""
        return self.guest.greeter(*args, command=[SESSION_PROBE], hold=hold)

    def user_session(self, uid=ALICE_UID, user='alice'):
        """What pam_systemd and logind do when GDM opens the session."""
        self.guest.add_user_session('2', uid, user)

    def greeter_only(self):
        """The user logged out: only the greeter is left on the seat."""
        self.guest.set_seat([('c1', GREETER_UID, 'Debian-gdm', 'greeter')], 'c1')

    def wait_login(self, greeter, timeout=60):
        """Until the greeter's conversation ended (the session holds, or it
        failed) -> True if a session was opened."""
        greeter.wait(r'^holding|^result ', timeout)
        return bool(greeter.find(r'^session-opened$'))

    def login(self, user='alice', timeout=60, **kw):
        """One single sign-on login: a greeter, a new TGT and client of
        @user's (connect(**kw)), up to the session's klist -> (client,
        greeter). Raises Failure if no session opens."""
        greeter = self.greeter()
        client = self.connect(user, **kw)
        if not self.wait_login(greeter, timeout):
            raise Failure('no login:\n%s\n%s' % (greeter.text(), self.dump()))
        greeter.wait(r'^probe klist-exit ', timeout)
        return client, greeter

    def end_login(self, client, greeter, timeout=30):
        """The user logs out (the seat shows the greeter again), the client
        disconnects; then the run's processes are let go (pipes closed,
        forgotten) and the client's TGT file removed, so that thousands of
        runs leave nothing behind in this process either."""
        greeter.close()
        greeter.wait(r'^result ', timeout)
        greeter.finish(timeout)
        self.greeter_only()
        client.disconnect(timeout)
        self.host.out.wait(r'^channel-disconnected .*type=main', timeout, start=client.t0)
        client.release()
        close_pipes(greeter.proc)
        self.guest.procs.remove(client.proc)
        self.guest.procs.remove(greeter.proc)
        self.clients.remove(client)
        self.guest.greeters.remove(greeter)

    def stop(self):
        for c in self.clients:
            c.stop()
        self.host.stop()
        self.guest.stop()

    def dump(self):
        """Everything the host and the clients printed (for a failure)."""
        out = ['---- spice-test-host ----', self.host.out.text() if self.host.proc else '',
               '---- spice-server log ----', self.host.err.text() if self.host.proc else '']
        for c in self.clients:
            out += ['---- client %s ----' % c.name, c.out.text()]
        return '\n'.join(out)

    # ------------------------------------------------------------ timeline

    def timeline(self, client, greeter):
        """The steps of one login, in order, as (name, side, seconds since
        the client started, detail): side is who saw it (client, server,
        vdagentd, greeter). All times are this process's monotonic clock at
        the arrival of the line that reports the step; every actor writes its
        lines as the step happens (line-buffered or unbuffered). A step not
        seen has time None."""
        t0 = client.t0
        g = self.guest
        steps = [
            ('client process up', 'client', client.when(r'^start ')),
            ('connection accepted', 'server', self.host.out.when(r'^tcp-connected', t0)),
            ('SASL done (main channel)', 'server',
             self.host.sso(r'link client=\S+ channel=main\b.* result=allowed', t0)),
            ('credential captured', 'server', self.host.sso(r'capture .*result=kept', t0)),
            ('connected (main channel open)', 'client',
             client.when(r'^connected channel=main ')),
            ('VD_AGENT_SSO sent to the agent port', 'server',
             self.host.sso(r'deliver .*result=sent', t0)),
            ('VD_AGENT_SSO delivered', 'vdagentd',
             g.log.when(r'sso: VD_AGENT_SSO serial \d+ for ', t0)),
            ('reply accepted', 'server', self.host.sso(r'reply .*result=accepted', t0)),
            ('greeter asked (UserAuthenticated)', 'greeter',
             greeter.when(r'^signal UserAuthenticated$', t0)),
            ('token redeemed', 'vdagentd',
             g.log.when(r'sso: the PAM module fetched the credential', t0)),
            ('TGT verified (pam_authenticate)', 'greeter',
             greeter.when(r'^pam authenticate 0 ', t0)),
            ('ccache installed (pam_open_session)', 'greeter',
             greeter.when(r'^pam open_session 0 ', t0)),
            ('session opened', 'greeter', greeter.when(r'^session-opened$', t0)),
            ('klist in the session', 'greeter', greeter.when(r'^probe klist-exit 0$', t0)),
        ]
        return [(name, side, (hit[0] - t0) if hit else None, hit[1] if hit else '')
                for name, side, hit in steps]


def wait_absent(pred, seconds, what):
    """@pred stays false for @seconds (an absence, checked for a while)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if pred():
            raise Failure(what)
        time.sleep(0.05)



# ------------------------------------------ what the chain suite's cases share

CHAINS = []


def chain(guests, **kw):
    """A started Chain(**kw), stopped (its guest) by the harness after the
    case."""
    c = Chain(**kw)
    guests.append(c.guest)
    CHAINS.append(c)
    c.start()
    return c


def showing_logs(case):
    """On a failure, also print what the server and the clients said
    (vdagentd_harness.run prints vdagentd's, the greeters' and the syslog)."""
    def wrapped(guests):
        try:
            case(guests)
        except BaseException:
            for c in CHAINS:
                print(c.dump())
            raise
    return wrapped


def print_timeline(c, client, greeter):
    print('timeline (seconds since the client started; who saw each step):')
    for name, side, t, _ in c.timeline(client, greeter):
        print('  %8s  %-9s %s' % ('%.3f' % t if t is not None else '-', side, name))


def expect_no_delivery(c, client, why):
    """The client is connected and the agent announced its capabilities to
    the server after it connected; then for 3 s: nothing is kept or sent by
    the server, nothing reaches vdagentd, no greeter hears a signal."""
    t0 = client.t0
    c.host.err.wait(r'sso: capture .*result=', 15, start=t0, what='the server\'s capture line')
    cap = c.host.sso(r'capture ', t0)[1]
    check('result=kept' not in cap, 'the server keeps nothing: %s (%s)' % (
        re.sub(r'.*sso: ', '', cap), why))
    c.guest.log.wait(r'sso: announcing VD_AGENT_CAP_SSO', 15, start=t0,
                     what='vdagentd announcing its capabilities to the connected client')
    wait_absent(lambda: c.host.sso(r'deliver ', t0) or
                c.guest.log.when(r'VD_AGENT_SSO serial', t0) or
                any(g.find(r'^signal ') for g in c.guest.greeters),
                3, 'something was delivered')
    check(True, 'for 3 s: no VD_AGENT_SSO sent, none at vdagentd, no greeter signal')
    check(left_in_cache_dir(c.guest) == [], 'no credential cache was written')


__all__ = ['Chain', 'Client', 'SpiceHost', 'Failure', 'Skip', 'wait_for', 'wait_absent', 'CHAINS',
           'chain', 'showing_logs', 'print_timeline', 'expect_no_delivery']
