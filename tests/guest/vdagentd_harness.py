"""A guest without a VM, for the guest-integration tests of spice-vdagentd.

Real parts: the patched spice-vdagentd from the upstream build, in the
foreground; the throwaway MIT realm of tests/with-realm and a TGT delegated
through GSSAPI (as spice-server receives it); VD_AGENT_SSO messages and
redemption frames made with the protocol library (vdagentd-sso-tool); a
private dbus-daemon configured like Debian's system bus, with the D-Bus policy
file that the patched spice-vdagent installs; sd-login reading the seat.

Emulated, because this machine runs no systemd-logind, no VM and no GDM:
  - the seat: /run/systemd/seats and /run/systemd/sessions, the files logind
    writes and sd-login reads, fabricated on a tmpfs in a private mount
    namespace (unshare -m). vdagentd's unmodified systemd-login backend reads
    them, so the session-info code under test is the real one (a test
    backend would test a stand-in instead);
  - logind's D-Bus API that vdagentd calls (GetSession, LockSession,
    Session.LockedHint): python3-dbusmock's logind template, whose
    LockSession we make do what logind 252's does: emit the session's Lock
    signal, nothing more (UnlockSession: Unlock);
  - the screen locker of each user session (gnome-shell's shield): Shield
    below, on its own bus connection; once a session's shell is "up" it
    answers the session's Lock signal with Session.SetLockedHint(true), as
    gnome-shell does once its shield is shown, and the test has it report
    an unlock (SetLockedHint(false)), as gnome-shell does when the user
    unlocked, by password or by single sign-on. A Lock that comes while
    the shell is not up is lost, as with a session whose shell still starts;
  - the agent port: the UNIX-socket fallback of virtio-port.c, driven by a
    test host (this file) that frames chunks like spice-server;
  - GDM and the PAM module: a listener for UserAuthenticated from the owner
    of org.ovirt.vdsm.Credentials (what gnome-shell's GDBusProxy delivers),
    and vdagentd-sso-tool redeem as the PAM module's socket client; or, for
    the combined tests (Guest(pam_module=...), guest-e2e), the real
    pam_vdagent_sso in the shipped gdm-ovirtcred service, run by the greeter
    emulator (tests/guest/greeter-emulator.c: gnome-shell 43's credential
    manager and GDM's PAM calls, because the real greeter needs a seat, a
    GPU and GDM's private bus);
  - accounts: nss_wrapper (ssotest.identities): alice 5001, bob 5002;
  - where GDM's processes run: vdagentd asks sd-login which unit and
    session the redemption socket's peer is in, from its cgroup. GDM 43's
    login conversations run in gdm.service, an unlock dialog's in the
    locked user's session scope; the PAM module's stand-ins (the greeter
    emulator, vdagentd-sso-tool redeem) are put into such cgroups, made
    under a slice of this test (Cgroups), since this machine runs no
    systemd to make them;
  - systemd, which vdagentd asks (Manager.StartUnit) to start the single
    sign-on helper as spice-vdagentd-sso@JOB.service: SystemdStandIn owns
    org.freedesktop.systemd1 on the test's bus and runs the real helper
    (spice-vdagent-sso-helper, from the build) in a cgroup of that name,
    so vdagentd's check of the helper's unit is the real one; the helper
    runs the real PAM service spice-vdagentd-sso (the shipped file, with
    the built module and the test's socket) from a copy of /etc/pam.d
    bind-mounted in this mount namespace;
  - the Kerberos configuration: the realm's krb5.conf bind-mounted on
    /etc/krb5.conf, since vdagentd uses a secure krb5 context, which
    ignores KRB5_CONFIG.
With system_paths=True, /run is a private tmpfs holding what upstream's
tmpfiles.d makes (/run/spice-vdagentd, 0755 root), and vdagentd and the PAM
module both use their compiled-in socket path. With syslog=True, a private
/dev/log (ssotest.devlog) collects what vdagentd and PAM log.
Every process started here is stopped by its PID, and every file created is
removed (the mounts vanish with the namespace).
"""

import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

from gi.repository import Gio, GLib

TOP = os.environ.get('TOP', os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..')))
sys.path.insert(0, os.path.join(TOP, 'tests', 'lib'))
from ssotest import identities, pam_service  # noqa: E402
from ssotest.core import (  # noqa: E402,F401 (the harnesses import these from here)
    Failure, Skip, TimedLines, case_names, check, load_case, scan_memory, wait_for)
from ssotest.devlog import DevLog  # noqa: E402
SSO_TOOL = os.environ.get('SSO_TOOL')
GREETER = os.environ.get('GREETER')
PAM_MODULE = os.environ.get('PAM_MODULE')
SSO_HELPER = os.environ.get('SSO_HELPER')
SESSION_PROBE = os.path.join(TOP, 'tests', 'pam', 'session-probe')
DEFAULT_SOCKET = '/run/spice-vdagentd/sso.sock'
DEFAULT_STATE_FILE = '/run/spice-vdagentd/sso-sessions'

# agent protocol
VD_AGENT_PROTOCOL = 1
VDP_CLIENT_PORT = 1
VDP_SERVER_PORT = 2
VD_AGENT_MOUSE_STATE = 1
VD_AGENT_ANNOUNCE_CAPABILITIES = 6
VD_AGENT_CLIENT_DISCONNECTED = 13
VD_AGENT_SSO = 0x8001
VD_AGENT_SSO_REPLY = 0x8002
VD_AGENT_CAP_SSO = 30
CHUNK_MAX = 2048

RESULTS = ['ACCEPTED', 'UNSUPPORTED_VERSION', 'MALFORMED', 'TOO_LARGE', 'DISABLED',
           'UNSUPPORTED_CRED', 'SEAT_BUSY', 'NO_LOGIN_SERVICE', 'PRINCIPAL_MISMATCH',
           'INTERNAL', 'USER_REFUSED']

FLAG_LOGIN = 1
FLAG_REFRESH = 2

GREETER_UID = 115
ALICE_UID = 5001
BOB_UID = 5002

PRINCIPAL = lambda user: '%s@%s' % (user, os.environ.get('REALM', ''))  # noqa: E731
TOKEN_RE = re.compile(r'[0-9a-f]{32}')


def frame(port, mtype, payload):
    """Frame a message in chunks of at most 2048 bytes, like spice-server."""
    data = struct.pack('<IIQI', VD_AGENT_PROTOCOL, mtype, 0, len(payload)) + payload
    out = b''
    for i in range(0, len(data), CHUNK_MAX):
        part = data[i:i + CHUNK_MAX]
        out += struct.pack('<II', port, len(part)) + part
    return out


def enter_namespace():
    """Re-run this process in a private mount namespace (once)."""
    if os.environ.get('VDAGENTD_TEST_NS') == '1':
        return
    if os.geteuid() != 0:
        print('SKIP: needs root (mount namespace, dbus-daemon policy, setpriv)')
        sys.exit(77)
    if not os.path.exists('/usr/bin/unshare'):
        print('SKIP: unshare (util-linux) is missing')
        sys.exit(77)
    env = dict(os.environ, VDAGENTD_TEST_NS='1')
    os.execvpe('unshare', ['unshare', '-m', '--propagation', 'private',
                           sys.executable] + sys.argv, env)


class Host:
    """The server's end of the agent port."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(1)
        self.conn = None
        self.messages = []  # (port, type, payload)
        self.lock = threading.Lock()
        self.reader = None
        self.closed = False

    def accept(self, timeout=10):
        self.sock.settimeout(timeout)
        try:
            conn, _ = self.sock.accept()
        except socket.timeout:
            return False
        self.conn = conn
        self.closed = False
        self.reader = threading.Thread(target=self._read, args=(conn,), daemon=True)
        self.reader.start()
        return True

    def _recv(self, conn, n):
        buf = b''
        while len(buf) < n:
            d = conn.recv(n - len(buf))
            if not d:
                raise EOFError
            buf += d
        return buf

    def _read(self, conn):
        partial = {}
        try:
            while True:
                port, size = struct.unpack('<II', self._recv(conn, 8))
                data = partial.get(port, b'') + self._recv(conn, size)
                while len(data) >= 20:
                    proto, mtype, _, msize = struct.unpack('<IIQI', data[:20])
                    if len(data) < 20 + msize:
                        break
                    with self.lock:
                        self.messages.append((port, mtype, data[20:20 + msize]))
                    data = data[20 + msize:]
                partial[port] = data
        except (EOFError, OSError):
            self.closed = True

    def send(self, data):
        self.conn.sendall(data)

    def take(self, mtype, timeout=5, port=None):
        def find():
            with self.lock:
                for i, m in enumerate(self.messages):
                    if m[1] == mtype and (port is None or m[0] == port):
                        return self.messages.pop(i)
            return None
        return wait_for(find, timeout, 'agent message type 0x%x' % mtype)

    def pending(self, mtype):
        with self.lock:
            return [m for m in self.messages if m[1] == mtype]

    def drop_connection(self):
        self.conn.shutdown(socket.SHUT_RDWR)
        self.conn.close()
        self.conn = None

    def close(self):
        if self.conn:
            self.conn.close()
        self.sock.close()


class BusThread:
    """A connection to the test's bus served by a GLib main loop of its own,
    in a thread: subclasses subscribe to their signals in subscribe(conn);
    a round trip follows, so the match rules are in place before the
    constructor returns. stop() ends the loop and closes the connection."""

    def __init__(self, address):
        self.address = address
        self.loop = None
        self.conn = None
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.ready.wait(10)

    def subscribe(self, conn):
        raise NotImplementedError

    def _run(self):
        ctx = GLib.MainContext()
        ctx.push_thread_default()
        self.conn = Gio.DBusConnection.new_for_address_sync(
            self.address,
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
            Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
        self.subscribe(self.conn)
        self.conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                            'GetId', None, None, Gio.DBusCallFlags.NONE, 5000, None)
        self.loop = GLib.MainLoop(ctx)
        self.ready.set()
        self.loop.run()
        self.conn.close_sync(None)

    def stop(self):
        if self.loop:
            self.loop.quit()
        self.thread.join(5)


class SignalListener(BusThread):
    """What gnome-shell's oVirt credential manager sees: UserAuthenticated
    from the current owner of org.ovirt.vdsm.Credentials on the system bus
    (a GDBusProxy delivers only the owner's signals; subscribing with the
    well-known name as sender does the same)."""

    def __init__(self, address):
        self.tokens = []
        self.withdrawals = 0
        self.lock = threading.Lock()
        super().__init__(address)

    def subscribe(self, conn):
        conn.signal_subscribe('org.ovirt.vdsm.Credentials', 'org.ovirt.vdsm.Credentials',
                              'UserAuthenticated', '/org/ovirt/vdsm/Credentials', None,
                              Gio.DBusSignalFlags.NONE, self._on_signal)

    def _on_signal(self, conn, sender, path, iface, member, params):
        token = params.unpack()[0]
        with self.lock:
            if token == '':
                # vdagentd withdraws a used or dropped token with an empty
                # one; gnome-shell's manager takes that as "no token"
                self.withdrawals += 1
            else:
                self.tokens.append((time.monotonic(), token))

    def count(self):
        with self.lock:
            return len(self.tokens)

    def wait(self, n=1, timeout=30):
        wait_for(lambda: self.count() >= n, timeout, '%d UserAuthenticated signal(s)' % n)
        with self.lock:
            return self.tokens[n - 1][1]


class Cgroups:
    """cgroups of this test, named as systemd names them, so that sd-login
    finds a process's unit and session from /proc/PID/cgroup: the unified
    (v2) hierarchy, /sys/fs/cgroup or, in a hybrid layout,
    /sys/fs/cgroup/unified; everything under one slice of ours, removed at
    the end (its processes gone)."""

    def __init__(self):
        root = None
        for d in ('/sys/fs/cgroup/unified', '/sys/fs/cgroup'):
            if os.path.exists(os.path.join(d, 'cgroup.procs')) and \
                    os.path.exists(os.path.join(d, 'cgroup.subtree_control')):
                root = d
                break
        if root is None:
            raise Skip('no cgroup2 hierarchy: cannot put processes where GDM runs them')
        self.base = os.path.join(root, 'spice-sso-test-%d.slice' % os.getpid())
        try:
            os.makedirs(self.base, exist_ok=True)
        except OSError as e:
            raise Skip('cannot make cgroups (%s)' % e)
        self.made = [self.base]

    def path(self, rel):
        p = os.path.join(self.base, rel)
        if not os.path.isdir(p):
            os.makedirs(p)
            parts = rel.split('/')
            for i in range(1, len(parts) + 1):
                q = os.path.join(self.base, *parts[:i])
                if q not in self.made:
                    self.made.append(q)
        return p

    def gdm(self):
        """Where GDM 43's login conversations run (Debian 12: gdm.service)."""
        return self.path('gdm.service')

    def session(self, sid, uid):
        """A logind session's scope."""
        return self.path('user-%d.slice/session-%s.scope' % (uid, sid))

    @staticmethod
    def enter(path):
        """A preexec_fn: the child moves itself into @path."""
        def move():
            with open(os.path.join(path, 'cgroup.procs'), 'w') as f:
                f.write(str(os.getpid()))
        return move

    def remove(self):
        for d in sorted(self.made, key=len, reverse=True):
            for _ in range(50):
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.1)


class Shield(BusThread):
    """The screen lockers of the user sessions (gnome-shell's shield), as
    logind sees them: on the session's Lock signal from logind, a session
    whose shell is up locks and calls Session.SetLockedHint(true); when its
    user unlocks (unlocked()), SetLockedHint(false). Sessions are the
    dbusmock template's objects (/org/freedesktop/login1/session/ID)."""

    PREFIX = '/org/freedesktop/login1/session/'

    def __init__(self, address):
        self.shells = set()
        self.locks = []  # (time, session) of each Lock answered
        self.lock = threading.Lock()
        super().__init__(address)

    def subscribe(self, conn):
        conn.signal_subscribe('org.freedesktop.login1', 'org.freedesktop.login1.Session',
                              'Lock', None, None, Gio.DBusSignalFlags.NONE, self._on_lock)

    def _set_hint(self, sid, value):
        self.conn.call_sync('org.freedesktop.login1', self.PREFIX + sid,
                            'org.freedesktop.login1.Session', 'SetLockedHint',
                            GLib.Variant('(b)', (value,)), None, Gio.DBusCallFlags.NONE,
                            5000, None)

    def _on_lock(self, conn, sender, path, iface, member, params):
        sid = path[len(self.PREFIX):] if path.startswith(self.PREFIX) else None
        with self.lock:
            up = sid in self.shells
        if up:
            self._set_hint(sid, True)
            with self.lock:
                self.locks.append((time.monotonic(), sid))

    def up(self, sid):
        """The session's shell is up: it answers Lock from now on."""
        with self.lock:
            self.shells.add(sid)

    def unlocked(self, sid):
        """The user unlocked the shield (password, or an unlock dialog)."""
        self._set_hint(sid, False)



class SystemdStandIn(BusThread):
    """systemd's Manager.StartUnit for the one unit vdagentd starts: the
    single sign-on helper, spice-vdagentd-sso@JOB.service, run as its
    ExecStart (vdagent/helper/spice-vdagentd-sso@.service.in) would, plus
    the test's socket, in a cgroup named as systemd names the unit's.
    Every start is recorded; the helpers' stderr goes to helper.log."""

    XML = """<node><interface name="org.freedesktop.systemd1.Manager">
      <method name="StartUnit"><arg name="name" type="s" direction="in"/>
        <arg name="mode" type="s" direction="in"/>
        <arg name="job" type="o" direction="out"/></method>
    </interface></node>"""

    def __init__(self, guest):
        self.guest = guest
        self.started = []  # unit names
        self.procs = []
        self.lock = threading.Lock()
        self.fail = False  # answer StartUnit with an error
        self.log_path = os.path.join(guest.dir, 'helper.log')
        open(self.log_path, 'w').close()
        super().__init__(guest.bus_address)

    def subscribe(self, conn):
        info = Gio.DBusNodeInfo.new_for_xml(self.XML)
        conn.register_object('/org/freedesktop/systemd1', info.interfaces[0], self._call,
                             None, None)
        conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                       'RequestName', GLib.Variant('(su)', ('org.freedesktop.systemd1', 4)),
                       None, Gio.DBusCallFlags.NONE, 5000, None)

    def _call(self, conn, sender, path, iface, method, params, invocation):
        name, _mode = params.unpack()
        m = re.match(r'^spice-vdagentd-sso@([1-9][0-9]*)\.service$', name)
        if self.fail or m is None:
            invocation.return_dbus_error('org.freedesktop.systemd1.NoSuchUnit',
                                         'Unit %s not found.' % name)
            return
        g = self.guest
        cg = g.cgroups.path(name)
        env = {k: v for k, v in os.environ.items() if k not in ('KRB5CCNAME', 'KRB5_KTNAME')}
        env.update(g.nss_env)
        with open(self.log_path, 'a') as log:
            p = subprocess.Popen(g.wrap('helper') + [SSO_HELPER, '--socket', g.sso_socket,
                                                    m.group(1)],
                                 env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                 preexec_fn=Cgroups.enter(cg))
        with self.lock:
            self.started.append(name)
            self.procs.append(p)
        invocation.return_value(GLib.Variant('(o)', ('/org/freedesktop/systemd1/job/%s'
                                                     % m.group(1),)))

    def read(self):
        with open(self.log_path, errors='replace') as f:
            return f.read()

    def wait_done(self, timeout=30):
        """Every helper started so far has exited."""
        with self.lock:
            procs = list(self.procs)
        wait_for(lambda: all(p.poll() is not None for p in procs), timeout,
                 'the single sign-on helper(s) to exit')
        return [p.returncode for p in procs]

    def stop(self):
        super().stop()
        with self.lock:
            procs = list(self.procs)
        for p in procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


class Guest:
    def __init__(self, sso=True, session_info=True, ttl=60, pam_file=True, extra_args=(),
                 bus_policy=True, pam_module=None, system_paths=False, syslog=False,
                 ccache=None, wrap=None, stop_timeout=5):
        """wrap: name -> argv prefix ('vdagentd', 'greeter'), e.g. valgrind;
        stop_timeout: seconds a process gets after SIGTERM (valgrind's leak
        check needs more than the default)."""
        enter_namespace()
        self.wrap = wrap or (lambda name: [])
        self.stop_timeout = stop_timeout
        if SSO_TOOL is None:
            raise Skip('SSO_TOOL is not set (run through meson)')
        self.procs = []
        self.dir = tempfile.mkdtemp(prefix='vdagentd-test.')
        os.chmod(self.dir, 0o711)
        self.env_upstream = self._read_upstream_env()
        self.vdagentd_bin = os.path.join(self.env_upstream['SPICE_VDAGENT_PREFIX'], 'sbin',
                                         'spice-vdagentd')
        if not os.access(self.vdagentd_bin, os.X_OK):
            raise Skip('no patched spice-vdagentd at %s (scripts/build-upstream)' %
                       self.vdagentd_bin)
        self.sso = sso
        self.session_info = session_info
        self.ttl = ttl
        self.extra_args = list(extra_args)
        self.bus_policy = bus_policy
        self.pam_dir = os.path.join(self.dir, 'pam.d')
        self.pam_file = os.path.join(self.pam_dir, 'gdm-ovirtcred')
        os.makedirs(self.pam_dir)
        self.pam_module = pam_module
        if pam_module:
            # the real service: the shipped file with the built module and
            # no options (system_paths) or the test's socket
            opts = [] if system_paths else ['socket=' + os.path.join(self.dir, 'sso', 'sso.sock')]
            pam_service.write(self.pam_dir, pam_module, *opts)
        elif pam_file:
            self.create_pam_file()
        self.system_paths = system_paths
        self.sso_socket = DEFAULT_SOCKET if system_paths else \
            os.path.join(self.dir, 'sso', 'sso.sock')
        self.state_file = DEFAULT_STATE_FILE if system_paths else \
            os.path.join(self.dir, 'sso', 'sso-sessions')
        self.starts = 0
        self.syslog = None
        self.greeters = []
        self.cgroups = None
        self.user_sessions = {}  # user name -> (session id, uid)
        self.ccache = ccache
        self.uinput = os.path.join(self.dir, 'uinput')
        self.log_path = os.path.join(self.dir, 'vdagentd.log')
        self.vdagentd = None
        self.host = None
        self.listener = None
        self.mock = None
        self.systemd = None
        try:
            self.cgroups = Cgroups()
            self._setup_mounts()
            if syslog:
                self.syslog = Syslog(os.path.join(self.dir, 'syslog'))
            self._setup_identities()
            self._setup_bus()
            self._setup_logind()
            self._setup_helper()
            self.set_seat([('c1', GREETER_UID, 'Debian-gdm', 'greeter')], 'c1')
        except BaseException:
            self.stop()
            raise

    # ------------------------------------------------------------ setup
    def _read_upstream_env(self):
        path = os.environ.get('UPSTREAM_ENV', os.path.join(TOP, '_build', 'upstream.env'))
        env = {}
        with open(path) as f:
            for line in f:
                m = re.match(r"^(\w+)='(.*)'$", line.strip())
                if m:
                    env[m.group(1)] = m.group(2)
        return env

    def _setup_mounts(self):
        self.mounts = []
        if self.system_paths or not os.path.isdir('/run/systemd'):
            # a /run of our own, with the directory upstream's tmpfiles.d
            # (spice-vdagentd.conf: d /run/spice-vdagentd 0755 root root)
            # makes at boot; the agents' socket and the redemption socket
            # live there. Also where /run/systemd is missing (a container
            # or chroot without systemd): the seat is fabricated below it.
            subprocess.run(['mount', '-t', 'tmpfs', '-o', 'mode=0755', 'tmpfs', '/run'],
                           check=True)
            self.mounts.append('/run')
            os.mkdir('/run/systemd', 0o755)
            os.mkdir('/run/spice-vdagentd', 0o755)
        subprocess.run(['mount', '-t', 'tmpfs', '-o', 'mode=0755', 'tmpfs', '/run/systemd'],
                       check=True)
        self.mounts.append('/run/systemd')
        for d in ('seats', 'sessions', 'users'):
            os.makedirs('/run/systemd/' + d)
        # vdagentd (sso-krb5) uses a secure krb5 context, which reads only
        # /etc/krb5.conf: the realm's, with the guest's keytab as default
        # keytab and users' caches in a sticky directory of ours, as
        # FILE:/tmp/krb5cc_%{uid} would be (or Guest(ccache=...))
        self.cache_dir = os.path.join(self.dir, 'tmp')
        os.mkdir(self.cache_dir)
        os.chmod(self.cache_dir, 0o1777)
        self.krb5_conf = os.path.join(self.dir, 'krb5.conf')
        with open(os.environ['KRB5_CONFIG']) as f:
            conf = f.read()
        conf = re.sub(r'(?m)^\s*default_ccache_name\s*=.*$', '', conf)
        conf = conf.replace('[libdefaults]\n', '[libdefaults]\n\tdefault_keytab_name = FILE:%s\n'
                            '\tdefault_ccache_name = %s\n'
                            % (os.environ['HOST_KEYTAB'],
                               self.ccache or 'FILE:%s/krb5cc_%%{uid}' % self.cache_dir), 1)
        with open(self.krb5_conf, 'w') as f:
            f.write(conf)
        os.chmod(self.krb5_conf, 0o644)
        subprocess.run(['mount', '--bind', self.krb5_conf, '/etc/krb5.conf'], check=True)
        self.mounts.append('/etc/krb5.conf')
        # krb5_verify_init_creds may keep a replay cache in /var/tmp
        subprocess.run(['mount', '-t', 'tmpfs', 'tmpfs', '/var/tmp'], check=True)
        self.mounts.append('/var/tmp')

    def _setup_identities(self):
        self.nss_env = dict(identities.create(os.path.join(self.dir, 'id')),
                            LD_PRELOAD=identities.PRELOAD)

    def _setup_bus(self):
        policy = os.path.join(self.env_upstream['SPICE_VDAGENT_PREFIX'],
                              'share', 'dbus-1', 'system.d', 'spice-vdagentd-sso.conf')
        if not os.path.exists(policy):
            raise Failure('the patched spice-vdagent did not install %s' % policy)
        self.bus_socket = os.path.join(self.dir, 'system_bus_socket')
        conf = os.path.join(self.dir, 'system.conf')
        with open(conf, 'w') as f:
            f.write('''<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <auth>EXTERNAL</auth>
  <listen>unix:path=%s</listen>
  <!-- Debian's system.conf default policy -->
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <!-- the logind stand-in (logind's own policy lets it own the name and
       everyone call it) -->
  <policy user="root">
    <allow own="org.freedesktop.login1"/>
  </policy>
  <policy context="default">
    <allow send_destination="org.freedesktop.login1"/>
  </policy>
  <!-- the systemd stand-in (systemd's policy lets root call it) -->
  <policy user="root">
    <allow own="org.freedesktop.systemd1"/>
    <allow send_destination="org.freedesktop.systemd1"/>
  </policy>
  <!-- what the patched spice-vdagent installs -->
  %s
</busconfig>
''' % (self.bus_socket, '<include>%s</include>' % policy if self.bus_policy else ''))
        # its own messages (e.g. that it may not raise its descriptor limit
        # where root lacks CAP_SYS_RESOURCE) to a log of the test's
        with open(os.path.join(self.dir, 'dbus-daemon.log'), 'w') as log:
            p = subprocess.Popen(['dbus-daemon', '--config-file=' + conf, '--nofork',
                                  '--print-address=1'], stdout=subprocess.PIPE, stderr=log,
                                 text=True)
        self.procs.append(p)
        self.bus_address = p.stdout.readline().strip()
        if not self.bus_address:
            raise Failure('dbus-daemon did not start')
        os.environ['DBUS_SYSTEM_BUS_ADDRESS'] = self.bus_address
        self.bus = Gio.DBusConnection.new_for_address_sync(
            self.bus_address,
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
            Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)

    def _setup_helper(self):
        """The helper's PAM service in a copy of /etc/pam.d, bind-mounted
        over it, and the systemd stand-in that starts the helper."""
        if SSO_HELPER is None or PAM_MODULE is None:
            raise Skip('SSO_HELPER or PAM_MODULE is not set (run through meson)')
        etc_pam = os.path.join(self.dir, 'etc-pam.d')
        shutil.copytree('/etc/pam.d', etc_pam, symlinks=True)
        with open(os.path.join(TOP, 'vdagent', 'helper', 'spice-vdagentd-sso')) as f:
            text = f.read()
        opts = '' if self.system_paths else ' socket=' + self.sso_socket
        text = re.sub(r'(?m)^(auth\s+required\s+)pam_vdagent_sso\.so helper$',
                      r'\g<1>%s helper%s' % (PAM_MODULE, opts), text)
        if PAM_MODULE not in text:
            raise Failure('the shipped spice-vdagentd-sso has no "auth required'
                          ' pam_vdagent_sso.so helper" line')
        with open(os.path.join(etc_pam, 'spice-vdagentd-sso'), 'w') as f:
            f.write(text)
        subprocess.run(['mount', '--bind', etc_pam, '/etc/pam.d'], check=True)
        self.mounts.append('/etc/pam.d')
        self.systemd = SystemdStandIn(self)

    def helper_log(self):
        return self.systemd.read() if self.systemd else ''

    def name_owner(self, name):
        try:
            r = self.bus.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                   'org.freedesktop.DBus', 'GetNameOwner',
                                   GLib.Variant('(s)', (name,)), None,
                                   Gio.DBusCallFlags.NONE, 5000, None)
            return r.unpack()[0]
        except GLib.Error:
            return None

    def _setup_logind(self):
        log = open(os.path.join(self.dir, 'logind-mock.log'), 'w')
        p = subprocess.Popen([sys.executable, '-m', 'dbusmock', '--template', 'logind',
                              '--system'], stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(p)
        wait_for(lambda: self.name_owner('org.freedesktop.login1'), 15,
                 'the logind stand-in on the bus')
        # logind's LockSession emits the session's Lock signal and returns;
        # the session's screen locker locks and sets LockedHint (Shield)
        for method, signal_name in (('LockSession', 'Lock'), ('UnlockSession', 'Unlock')):
            self.mock_call('AddMethod', '(sssss)',
                           ('org.freedesktop.login1.Manager', method, 's', '',
                            'objects["/org/freedesktop/login1/session/" + args[0]].EmitSignal('
                            '"org.freedesktop.login1.Session", "%s", "", [])' % signal_name))
        self.shield = Shield(self.bus_address)

    def mock_call(self, method, sig, args, path='/org/freedesktop/login1'):
        r = self.bus.call_sync('org.freedesktop.login1', path, 'org.freedesktop.DBus.Mock',
                               method, GLib.Variant(sig, args), None,
                               Gio.DBusCallFlags.NONE, 5000, None)
        return r.unpack() if r is not None else None

    def lock_calls(self):
        calls = self.mock_call('GetMethodCalls', '(s)', ('LockSession',))[0]
        return [c[1][0] for c in calls]

    def locked_hint(self, session):
        r = self.bus.call_sync('org.freedesktop.login1', '/org/freedesktop/login1/session/' + session,
                               'org.freedesktop.DBus.Properties', 'Get',
                               GLib.Variant('(ss)', ('org.freedesktop.login1.Session', 'LockedHint')),
                               None, Gio.DBusCallFlags.NONE, 5000, None)
        return r.unpack()[0]

    # ------------------------------------------------------------- the seat
    def _write(self, path, text):
        tmp = path + '.tmp'
        with open(tmp, 'w') as f:
            f.write(text)
        os.rename(tmp, path)

    def set_seat(self, sessions, active):
        """sessions: [(id, uid, user, class)]; active: id or None. Written
        as logind writes them: the sessions, then the seat."""
        ids = [s[0] for s in sessions]
        uids = {s[0]: s[1] for s in sessions}
        seat = '# This is private data. Do not parse.\nIS_SEAT0=1\nCAN_MULTI_SESSION=1\n' \
               'CAN_TTY=1\nCAN_GRAPHICAL=1\n'
        if active:
            seat += 'ACTIVE=%s\nACTIVE_UID=%d\n' % (active, uids[active])
        if ids:
            seat += 'SESSIONS=%s\nUIDS=%s\n' % (' '.join(ids), ' '.join(str(uids[i]) for i in ids))
        for f in os.listdir('/run/systemd/sessions'):
            if f not in ids:
                os.unlink('/run/systemd/sessions/' + f)
        for sid, uid, user, cls in sessions:
            self._write('/run/systemd/sessions/' + sid,
                        '# This is private data. Do not parse.\nUID=%d\nUSER=%s\nACTIVE=%d\n'
                        'IS_DISPLAY=1\nSTATE=%s\nREMOTE=0\nTYPE=wayland\nORIGINAL_TYPE=wayland\n'
                        'CLASS=%s\nSEAT=seat0\nVTNR=%s\nSERVICE=gdm-launch-environment\n'
                        'LEADER=1\n' % (uid, user, 1 if sid == active else 0,
                                        'active' if sid == active else 'online', cls,
                                        1 if cls == 'greeter' else 2))
        self._write('/run/systemd/seats/seat0', seat)
        # vdagentd's sd-login monitor watches the sessions directory only:
        # one more event, now that the seat is consistent
        if sessions:
            last = '/run/systemd/sessions/' + sessions[-1][0]
            os.rename(last, last + '.x')
            os.rename(last + '.x', last)

    def add_user_session(self, sid, uid, user, shell=True):
        """A user session on the seat, also known to the logind stand-in;
        with @shell, its screen locker is up (Shield)."""
        self.user_sessions[user] = (sid, uid)
        self.mock_call('AddSession', '(ssusb)', (sid, 'seat0', uid, user, True))
        if shell:
            self.shield.up(sid)
        self.set_seat([('c1', GREETER_UID, 'Debian-gdm', 'greeter'), (sid, uid, user, 'user')],
                      sid)

    def add_other_seat_session(self, sid, uid, user, seat='seat1'):
        """A session of @user's on another seat (@seat), in logind's
        session files only: sd-login reads it, the logind stand-in does
        not know it."""
        self._write('/run/systemd/sessions/%s' % sid,
                    '# This is private data. Do not parse.\nUID=%d\nUSER=%s\nACTIVE=1\n'
                    'IS_DISPLAY=1\nSTATE=active\nREMOTE=0\nTYPE=wayland\nCLASS=user\nSEAT=%s\n'
                    'LEADER=1\n' % (uid, user, seat))
        self.user_sessions[user] = (sid, uid)

    # ---------------------------------------------------------- vdagentd
    def create_pam_file(self):
        with open(self.pam_file, 'w') as f:
            f.write('# test stand-in for /etc/pam.d/gdm-ovirtcred: vdagentd only checks'
                    ' that it exists\n')

    def start(self, expect_port=True, wait_name=True, port=None):
        """Start vdagentd. Its agent port is a test host of ours (self.host),
        or with @port the UNIX socket a real SPICE server listens on (the
        chain tests: spice-test-host --agent-socket)."""
        if port is None:
            self.host = Host(os.path.join(self.dir, 'port.sock'))
            port = self.host.path
        else:
            expect_port = False
        args = self.wrap('vdagentd') + [self.vdagentd_bin, '-x', '-d', '-s', port,
                '-S', os.path.join(self.dir, 'agent.sock'), '-f', '-u', self.uinput]
        if not self.session_info:
            args.append('-X')
        if self.sso:
            args += ['--sso', '--sso-pam-service-file', self.pam_file, '--sso-ttl', str(self.ttl)]
            if not self.system_paths:
                args += ['--sso-socket', self.sso_socket, '--sso-state-file', self.state_file]
        args += self.extra_args
        open(self.uinput, 'w').close()
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.bus_address, **self.nss_env)
        if self.starts > 0:
            # the previous run's output stays readable
            os.rename(self.log_path, self.log_path + '.%d' % self.starts)
        self.starts += 1
        open(self.log_path, 'w').close()
        self.listener = SignalListener(self.bus_address)
        self.vdagentd = subprocess.Popen(args, env=env, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT)
        self.procs.append(self.vdagentd)
        # its output with arrival times, also in log_path
        self.log = TimedLines(self.vdagentd.stdout, self.log_path)
        if expect_port:
            if not self.host.accept(10):
                raise Failure('vdagentd did not open its port; log:\n' + self.read_log())
        if self.sso and self.session_info and wait_name:
            self.wait_log(r'sso: owning org\.ovirt\.vdsm\.Credentials', 60)

    def stop_vdagentd(self, before_listener_stops=None):
        """Stop vdagentd (SIGTERM), as systemctl stop does; the seat, the
        bus and logind stay. @before_listener_stops() runs once it has
        exited, while the signal listener still listens."""
        self.vdagentd.send_signal(signal.SIGTERM)
        try:
            self.vdagentd.wait(self.stop_timeout)
        except subprocess.TimeoutExpired:
            raise Failure('vdagentd did not stop on SIGTERM')
        check(self.vdagentd.returncode == 0, 'vdagentd exits 0 on SIGTERM (%s)' % self.vdagentd.returncode)
        self.log.join()
        if before_listener_stops:
            before_listener_stops()
        self.listener.stop()
        self.host.close()
        os.unlink(self.host.path)

    def restart(self, before_listener_stops=None):
        """Stop vdagentd and start it again, as an upgrade of the package or
        systemctl restart does."""
        self.stop_vdagentd(before_listener_stops)
        self.start()

    def read_log(self):
        with open(self.log_path, errors='replace') as f:
            return f.read()

    def wait_log(self, pattern, timeout=5):
        return wait_for(lambda: re.search(pattern, self.read_log()), timeout,
                        'vdagentd log line /%s/' % pattern)

    def alive(self):
        return self.vdagentd is not None and self.vdagentd.poll() is None

    # ------------------------------------------------------------ messages
    def sso_frame(self, principal, cred, serial=1, flags=FLAG_LOGIN, port=VDP_SERVER_PORT,
                  **opts):
        args = [SSO_TOOL, 'frame-sso', '--principal', principal, '--serial', str(serial),
                '--flags', str(flags), '--port', str(port)]
        for k, v in opts.items():
            args += ['--' + k.replace('_', '-'), str(v)]
        return subprocess.run(args, input=cred, capture_output=True, check=True).stdout

    def send_sso(self, principal, cred, **kw):
        self.host.send(self.sso_frame(principal, cred, **kw))

    def reply(self, serial, timeout=20):
        port, _, payload = self.host.take(VD_AGENT_SSO_REPLY, timeout)
        check(port == VDP_SERVER_PORT, 'the reply came on VDP_SERVER_PORT')
        out = subprocess.run([SSO_TOOL, 'decode-reply'], input=payload, capture_output=True,
                             check=True).stdout.decode()
        m = re.match(r'serial=(\d+) result=(\d+)', out)
        check(m and int(m.group(1)) == serial, 'the reply echoes serial %d (%s)' % (serial, out.strip()))
        return RESULTS[int(m.group(2))]

    def expect_reply(self, serial, result, timeout=20):
        got = self.reply(serial, timeout)
        check(got == result, 'serial %d answered %s (got %s)' % (serial, result, got))

    def no_reply(self, wait=1.5):
        time.sleep(wait)
        check(not self.host.pending(VD_AGENT_SSO_REPLY), 'no VD_AGENT_SSO_REPLY was sent')

    def client_disconnected(self):
        self.host.send(frame(VDP_SERVER_PORT, VD_AGENT_CLIENT_DISCONNECTED, b''))

    def caps(self, timeout=5):
        _, _, payload = self.host.take(VD_AGENT_ANNOUNCE_CAPABILITIES, timeout)
        request, word0 = struct.unpack('<II', payload[:8])
        return request, word0

    def as_user(self, uid, cmd):
        """Run @cmd as @uid (no supplementary groups, no capabilities)."""
        return subprocess.run(['setpriv', '--reuid', str(uid), '--regid', str(uid),
                               '--clear-groups', '--'] + cmd, capture_output=True, text=True,
                              timeout=30, env=dict(os.environ,
                                                   DBUS_SYSTEM_BUS_ADDRESS=self.bus_address))

    def redeem(self, *args, uid=None, keep_caps=False, unlock=None, cgroup='gdm'):
        """vdagentd-sso-tool redeem, as the PAM module in a GDM worker: by
        default a login conversation's (in gdm.service, no preset user);
        unlock=USER: USER's unlock dialog's (in USER's session, USER preset
        in the FETCH); cgroup=None: where the test runs (in no unit), or a
        cgroup directory."""
        args = [str(a) for a in args]
        if unlock is not None:
            sid, uuid = self.user_sessions[unlock]
            if args[0] == 'fetch':
                args.append(str(uuid))
            if cgroup == 'gdm':
                cgroup = self.cgroups.session(sid, uuid)
        if cgroup == 'gdm':
            cgroup = self.cgroups.gdm()
        cmd = [SSO_TOOL, 'redeem', self.sso_socket] + args
        if uid is not None:
            pre = ['setpriv', '--reuid', str(uid), '--regid', str(uid), '--clear-groups']
            if keep_caps:
                pre += ['--inh-caps', '+dac_override', '--ambient-caps', '+dac_override']
            cmd = pre + ['--'] + cmd
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30,
                           preexec_fn=Cgroups.enter(cgroup) if cgroup else None)
        return r.stdout.strip()

    def greeter(self, *args, command=None, hold=False, conversations=1, cgroup=None):
        """Start the greeter emulator on the real PAM service (pam_module),
        where GDM runs the conversation: a login's in gdm.service, an
        unlock dialog's (--unlock USER) in USER's session; or in @cgroup."""
        if cgroup is None:
            if '--unlock' in args:
                sid, uid = self.user_sessions[args[list(args).index('--unlock') + 1]]
                cgroup = self.cgroups.session(sid, uid)
            else:
                cgroup = self.cgroups.gdm()
        if command and command[0] == SESSION_PROBE:
            # the session command runs as the user, who may not reach the
            # source tree (a clone under /root): a copy in our directory
            probe = os.path.join(self.dir, 'session-probe')
            if not os.path.exists(probe):
                shutil.copy(SESSION_PROBE, probe)
                os.chmod(probe, 0o755)
            command = [probe] + list(command[1:])
        g = Greeter(self, list(args), command=command, hold=hold, conversations=conversations,
                    cgroup=cgroup)
        self.procs.append(g.proc)
        self.greeters.append(g)
        return g

    def logs(self):
        """Everything logged so far: vdagentd's output and the syslog."""
        return self.read_log() + self.helper_log() + (self.syslog.read() if self.syslog else '')

    # ---------------------------------------------------------- teardown
    def stop(self):
        if self.listener:
            self.listener.stop()
        if getattr(self, 'shield', None):
            self.shield.stop()
        if self.systemd:
            self.systemd.stop()
        for p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(self.stop_timeout)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        if self.host:
            self.host.close()
        if getattr(self, 'log', None):
            self.log.join()
        if self.syslog:
            self.syslog.stop()
        for m in reversed(getattr(self, 'mounts', [])):
            subprocess.run(['umount', m])
        if getattr(self, 'cgroups', None):
            self.cgroups.remove()
        subprocess.run(['rm', '-rf', self.dir])


class Syslog:
    """A private /dev/log (ssotest.devlog, in this mount namespace) whose
    datagrams go to a file: what vdagentd and the PAM module log."""

    def __init__(self, path):
        self.path = path
        self.devlog = DevLog(path)

    def read(self):
        with open(self.path, errors='replace') as f:
            return f.read()

    def wait(self, pattern, timeout=10):
        return wait_for(lambda: re.search(pattern, self.read()), timeout,
                        'a syslog line /%s/' % pattern)

    def stop(self):
        if self.devlog:
            self.devlog.stop()
            self.devlog = None


class Greeter:
    """tests/guest/greeter-emulator: gnome-shell 43's oVirt credential
    manager and GDM's PAM calls, on the guest's PAM service directory (the
    real pam_vdagent_sso through pam_start_confdir). Its events (one a line,
    never a token) are collected; see greeter-emulator.c for them."""

    def __init__(self, guest, args, command=None, hold=False, conversations=1, cgroup=None):
        if GREETER is None:
            raise Skip('GREETER is not set (run through meson)')
        cmd = guest.wrap('greeter') + [GREETER, '--confdir', guest.pam_dir, '--timeout', '90',
               '--conversations', str(conversations)] + args
        if hold:
            cmd.append('--hold')
        if command:
            cmd += ['--'] + list(command)
        # the module reads no environment; the session's klist gets
        # KRB5CCNAME from PAM, not from here
        env = {k: v for k, v in os.environ.items() if k not in ('KRB5CCNAME', 'KRB5_KTNAME')}
        env.update(guest.nss_env, DBUS_SYSTEM_BUS_ADDRESS=guest.bus_address)
        self.err_path = os.path.join(guest.dir, 'greeter-%d.err' % len(guest.procs))
        self.err = open(self.err_path, 'w')
        self.proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.err, text=True,
                                     preexec_fn=Cgroups.enter(cgroup) if cgroup else None)
        # its events with arrival times (.when(pattern) for timelines)
        self.out = TimedLines(self.proc.stdout)
        self.lines, self.text, self.find, self.when = (
            self.out.lines, self.out.text, self.out.find, self.out.when)
        self.wait(r'^ready owner=')

    def wait(self, pattern, timeout=30):
        return wait_for(lambda: self.find(pattern), timeout,
                        'greeter event /%s/; so far:\n%s' % (pattern, self.text()))[0]

    def close(self):
        """End a --hold session (GDM: the user logged out)."""
        self.proc.stdin.write('close\n')
        self.proc.stdin.flush()

    def finish(self, timeout=30):
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise Failure('the greeter emulator did not finish; so far:\n' + self.text())
        self.out.join(5)
        self.err.close()
        return rc


class Realm:
    """The principals' credentials, as spice-server would receive them: a TGT
    delegated through GSSAPI to the guest's host service."""

    def __init__(self, workdir):
        self.dir = workdir
        self.env = dict(os.environ, KRB5_KTNAME='FILE:' + os.environ['HOST_KEYTAB'])

    def delegated(self, user, lifetime=None):
        ccache = os.path.join(self.dir, 'tgt-' + user)
        out = os.path.join(self.dir, 'delegated-' + user)
        env = dict(self.env, KRB5CCNAME='FILE:' + ccache)
        args = ['kinit', '-f']
        if lifetime:
            args += ['-l', lifetime]
        with open(os.path.join(os.environ['REALM_DIR'], 'password')) as pw:
            subprocess.run(args + ['%s@%s' % (user, os.environ['REALM'])], stdin=pw, env=env,
                           check=True, stdout=subprocess.DEVNULL)
        subprocess.run([SSO_TOOL, 'delegate', 'host@' + os.environ['REALM_GUEST_HOST'], out],
                       env=env, check=True)
        with open(out + '.creds', 'rb') as f:
            data = f.read()
        key = subprocess.run([SSO_TOOL, 'session-key', out], capture_output=True, text=True,
                             check=True).stdout.strip()
        os.unlink(out + '.creds')
        os.unlink(out)
        os.unlink(ccache)
        return data, bytes.fromhex(key)


# ------------------------------------------------- what the cases share

def guest(guests, **kw):
    """A Guest(**kw) that the harness stops after the case."""
    g = Guest(**kw)
    guests.append(g)
    return g


def creds(g, user='alice', **kw):
    """@user's TGT delegated to the guest, and its session key."""
    return Realm(g.dir).delegated(user, **kw)


def fake_agent(g, width=1280, height=800):
    """A session agent that reports its resolution (udscs
    VDAGENTD_GUEST_XORG_RESOLUTION), which opens the port without single
    sign-on. Only valid with -X (no session info)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    wait_for(lambda: os.path.exists(os.path.join(g.dir, 'agent.sock')), 5, 'the agent socket')
    s.connect(os.path.join(g.dir, 'agent.sock'))
    res = struct.pack('<iiiii', width, height, 0, 0, 0)
    s.sendall(struct.pack('<IIII', 0, width, height, len(res)) + res)
    return s


def accepted_token(g, serial=1, user='alice', cred=None):
    """@user's credential sent and accepted: the token of the signal that
    followed, and the credential."""
    if cred is None:
        cred, _ = creds(g, user)
    n = g.listener.count()
    g.send_sso(PRINCIPAL(user), cred, serial=serial)
    g.expect_reply(serial, 'ACCEPTED')
    return g.listener.wait(n + 1), cred


def logged_in(g):
    """alice logged in by single sign-on: the module fetched and reported."""
    token, alice = accepted_token(g)
    check(g.redeem('fetch', token).startswith('CRED '), 'the greeter\'s PAM module fetches')
    check(g.redeem('report', token, 0, ALICE_UID) == 'STATUS OK', 'and reports success for alice')
    g.wait_log(r'login of alice@\S+ as uid 5001 succeeded')
    return alice


def locked(g, sid, n):
    """The @n-th LockSession(@sid) reached logind and the session's shell
    reported the lock."""
    wait_for(lambda: g.lock_calls().count(sid) >= n, 5, 'LockSession("%s") number %d' % (sid, n))
    wait_for(lambda: g.locked_hint(sid), 5, 'LockedHint of session %s' % sid)
    check(True, 'session %s locked (request %d)' % (sid, n))


def logged_in_and_locked(g):
    """alice logged in by single sign-on (logged_in()), GDM opened her
    session 2, her client left and the session was locked; alice's
    credential."""
    alice = logged_in(g)
    g.add_user_session('2', ALICE_UID, 'alice')
    g.client_disconnected()
    locked(g, '2', 1)
    return alice


FAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1'


def need_faketime():
    """Skip without libfaketime (the guest's clock set ahead of the KDC's)."""
    if not os.path.exists(FAKETIME):
        raise Skip('%s is missing (Debian package faketime; scripts/setup installs it)' % FAKETIME)


def run(cases):
    """Run the case named on the command line; print what failed and the
    vdagentd log; exit 0, 1, or 77 for a skip."""
    name = sys.argv[1] if len(sys.argv) > 1 else None
    if name not in cases:
        print('usage: %s CASE (%s)' % (sys.argv[0], ' '.join(sorted(cases))))
        sys.exit(2)
    enter_namespace()
    guests = []
    try:
        cases[name](guests)
        for g in guests:
            if g.vdagentd is not None:
                check(g.alive(), 'vdagentd is still running')
        status = 0
    except Skip as e:
        print('SKIP:', e)
        status = 77
    except Failure as e:
        print('FAIL:', e)
        status = 1
    except Exception:
        import traceback
        traceback.print_exc()
        status = 1
    finally:
        # the last one first: their mounts are stacked
        for g in reversed(guests):
            if (status == 1 or os.environ.get('VDAGENTD_TEST_SHOW_LOG')) and \
                    os.path.exists(getattr(g, 'log_path', '')):
                print('---- vdagentd log ----')
                print(g.read_log())
                for i, gr in enumerate(g.greeters):
                    print('---- greeter emulator %d ----' % i)
                    print(gr.text())
                if g.syslog:
                    print('---- syslog ----')
                    print(g.syslog.read())
            g.stop()
    sys.exit(status)


def run_case(cases_dir, wrap=None):
    """Run the case named on the command line, @cases_dir/CASE.py (its
    docstring says what it proves, its run(guests) does it), with run();
    wrap(case.run), if given, runs instead."""
    name = sys.argv[1] if len(sys.argv) > 1 else ''
    case = load_case(cases_dir, name)
    if case is None:
        print('usage: %s CASE (%s)' % (sys.argv[0], ' '.join(case_names(cases_dir))))
        sys.exit(2)
    run({name: case.run if wrap is None else wrap(case.run)})
