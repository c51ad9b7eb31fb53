"""The harness of the vm-e2e tests with a client (tests/vm/test-vm-sso):
single sign-on into a real VM with a real client, one boot per case
(tests/vm/sso-cases/<case>.py, whose run(r) gets a Run, whose RUN, if
any, gives the keywords of Run()). Runs inside tests/with-realm, as root.

Real: the patched qemu-system-x86_64 under TCG with
-spice sasl=on,gss-delegate=on|off and sasl-authz naming an authz-list
object (allowing alice only), running as spice-host.spice.test
(tests/lib/spice-host-ns) with the realm's SPICE keytab; the test guest
(docs/vm.md) with the single sign-on hooks: the patched spice-vdagentd on
the virtio port, the real pam_vdagent_sso in the shipped gdm-ovirtcred,
dbus-daemon, syslog; the guest reaches the KDC only through qemu's
user-mode network (restrict=on, guestfwd to the host's loopback KDC) and
verifies TGTs with its own host/ keytab; on the host, the throwaway KDC and
client/spice-sso-connect on the patched libspice-client-glib, with a
forwardable TGT of the user's and --spice-gss-delegate.
Emulated in the guest (docs/vm.md says why): logind's seat files and D-Bus
API, the greeter (the greeter emulator).

Each case prints its timeline; nothing is asserted on time.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

VM_DIR = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(VM_DIR))
sys.path.insert(0, VM_DIR)
sys.path.insert(0, os.path.join(TOP, 'tests', 'chain'))
sys.path.insert(0, os.path.join(TOP, 'tests', 'lib'))
import guestvm  # noqa: E402
from chain import FQDN, Client, Failure, RemoteViewer  # noqa: E402
from ssotest.core import case_names, load_case  # noqa: E402

REALM = os.environ.get('REALM', '')
failures = []


def check(cond, what):
    print(('ok    ' if cond else 'FAIL  ') + what, flush=True)
    if not cond:
        failures.append(what)
    return cond


def authz_object(*principals):
    """An authz-list object allowing only @principals (qemu -object JSON)."""
    rules = ','.join('{"match":"%s","policy":"allow"}' % p for p in principals)
    return ['-object', '{"qom-type":"authz-list","id":"sso-authz","policy":"deny",'
            '"rules":[%s]}' % rules]


class Run:
    """One boot of the guest with the SSO hooks and qemu's SPICE on SASL,
    plus the clients of the case."""

    def __init__(self, delegate=True, authz=True, ccache=None):
        self.work = tempfile.mkdtemp(prefix='spice-sso-vmsso.')
        os.chmod(self.work, 0o700)
        opts = 'sasl=on,gss-delegate=' + ('on' if delegate else 'off')
        extra = []
        if authz:
            opts += ',sasl-authz=sso-authz'
            extra = authz_object('alice@' + REALM)
        env = {'SSO_CCACHE': ccache} if ccache else {}
        self.clients = []
        self.root_files = []  # copies in a client root (a ccache among them)
        self.g = guestvm.Guest(
            kdc_port=int(os.environ['REALM_KDC_PORT']), keytab=os.environ['HOST_KEYTAB'],
            spice_opts=opts, spice_keytab=os.environ['SPICE_KEYTAB'], spice_host=True,
            hooks=guestvm.SSO_HOOKS, builds=True, guest_env=env, extra_qemu_args=extra,
            echo=lambda s: print(s, flush=True) if ' log ' not in s else None)

    def boot(self):
        self.g.start()
        self.g.wait('ready', timeout=300)
        check(self.g.find('vdagentd-ready') is not None and self.g.find('greeter-ready') is not None,
              'the guest is at its login screen: vdagentd ready, greeter ready')
        return self

    def tgt(self, user):
        path = os.path.join(self.work, 'tgt-%s-%d' % (user, len(self.clients)))
        with open(os.path.join(os.environ['REALM_DIR'], 'password')) as pw:
            subprocess.run(['kinit', '-f', '%s@%s' % (user, REALM)], stdin=pw,
                           stdout=subprocess.DEVNULL, check=True,
                           env=dict(os.environ, KRB5CCNAME='FILE:' + path))
        return path

    def connect(self, user, delegate=True):
        c = Client(self.work, '%s-%d' % (user, len(self.clients)), self.g.spice_port,
                   self.tgt(user), delegate=delegate)
        self.clients.append(c)
        return c

    def remote_viewer(self, user):
        """Debian's remote-viewer as @user, with the patched
        libspice-client-glib: SSO_CLIENT_LIBDIR if set (an installed
        package's directory), else the patched build's."""
        libdir = os.environ.get('SSO_CLIENT_LIBDIR') or os.path.join(
            guestvm.upstream_env()['SPICE_GTK_PREFIX'], 'lib')
        c = RemoteViewer(self.work, '%s-%d' % (user, len(self.clients)), self.g.spice_port,
                         self.tgt(user), libdir=libdir)
        self.clients.append(c)
        print('remote-viewer %s with libspice-client-glib from %s' % (
            subprocess.run(['remote-viewer', '--version'], capture_output=True,
                           text=True).stdout.strip(), libdir), flush=True)
        return c

    def remote_viewer_packaged(self, user, root):
        """Debian's remote-viewer as @user in @root (tests/vm/client-root),
        where apt installed our client packages: the user's ccache and the
        realm's krb5.conf are copied to the same paths inside it, and the
        root's /etc/hosts names the SPICE host (removed again by stop())."""
        tgt = self.tgt(user)
        for path in (tgt, os.environ['KRB5_CONFIG']):
            inside = root + path
            top = os.path.dirname(inside)
            while not os.path.exists(os.path.dirname(top)):
                top = os.path.dirname(top)
            if not os.path.exists(top):
                self.root_files.append(top)  # made here: removed whole
            os.makedirs(os.path.dirname(inside), 0o700, exist_ok=True)
            shutil.copy2(path, inside)
            self.root_files.append(inside)
        with open(os.path.join(root, 'etc', 'hosts'), 'w') as f:
            f.write('127.0.0.1 localhost\n127.0.0.1 %s\n' % FQDN)
        c = RemoteViewer(self.work, '%s-%d' % (user, len(self.clients)), self.g.spice_port,
                         tgt, root=root)
        self.clients.append(c)
        return c

    def viewer_login(self, c, start, n):
        """alice's login through the guest with remote-viewer @c (started
        after the @start-th guest marker and the @n-th server line); it
        stays connected until stopped here."""
        check(self.wait_server(r'capture .*principal=alice@\S+ result=kept', n, timeout=60)
              is not None, 'qemu\'s spice-server kept the credential remote-viewer delegated')
        self.login(c, start)
        check(self.wait_server(r'reply .*principal=alice@\S+ .*result=accepted', n) is not None,
              'the agent\'s reply ACCEPTED reached it')
        check(c.proc.poll() is None, 'remote-viewer is still connected')
        c.stop()

    def server(self, pattern, after=0):
        """spice-server's 'sso:' lines in qemu's output matching @pattern,
        from the @after-th on."""
        lines = [l for l in self.g.qemu_log().splitlines() if 'sso: ' in l]
        return [l for l in lines[after:] if re.search(pattern, l)]

    def server_count(self):
        return len(self.server(''))

    def wait_server(self, pattern, after=0, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            hit = self.server(pattern, after)
            if hit:
                return hit[0]
            time.sleep(0.1)
        raise Failure('no spice-server line /%s/ in qemu\'s output within %d s:\n%s'
                      % (pattern, timeout, self.g.qemu_log()[-3000:]))

    def markers(self, event, start=0):
        return [m for m in self.g.markers[start:] if m.event == event]

    def nothing_reaches_guest(self, client, start, seconds=5):
        """The client is connected and the guest's agent is there (the
        client sees VD_AGENT_CAP_SSO in its capabilities); for @seconds no
        VD_AGENT_SSO reaches vdagentd and the greeter hears nothing."""
        client.wait_connected()
        client.wait(r'^agent channel=main connected=yes caps0=0x4', 30)
        check(True, 'the client is connected and sees the agent announce VD_AGENT_CAP_SSO')
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.g._poll()
            time.sleep(0.1)
        for ev in ('sso-received', 'greeter-signal', 'token-redeemed', 'session-opened'):
            check(not self.markers(ev, start), 'guest: no %s marker in %d s' % (ev, seconds))

    def login(self, client, start=0, ccache_prefix='FILE:/tmp/krb5cc_5001'):
        """alice's login through the guest, after @client connected."""
        g = self.g
        alice = 'alice@' + REALM
        for ev in ('sso-received', 'sso-replied', 'greeter-signal', 'token-redeemed',
                   'tgt-verified', 'login-reported', 'ccache-installed', 'session-opened',
                   'klist-ok'):
            g.wait(ev, 90, start=start)
        m = lambda ev: self.markers(ev, start)[0]  # noqa: E731
        check(m('sso-received').field('principal') == alice,
              'guest: vdagentd received VD_AGENT_SSO for alice (%s)' % m('sso-received').details)
        check(m('sso-replied').field('result') == 'accepted', 'guest: vdagentd accepted it')
        check(m('token-redeemed').field('principal') == alice,
              'guest: the PAM module redeemed the token')
        tv = m('tgt-verified')
        check(tv.field('principal') == alice and tv.field('uid') == '5001' and
              tv.field('keytab') == '/etc/krb5.keytab',
              'guest: the module verified the TGT against the guest\'s keytab (%s)' % tv.details)
        check(m('login-reported').field('uid') == '5001', 'guest: vdagentd recorded the login')
        ci = m('ccache-installed')
        check((ci.field('ccache') or '').startswith(ccache_prefix),
              'guest: the cache was installed: %s' % ci.details)
        so = m('session-opened')
        check(so.field('user') == 'alice' and so.field('uid') == '5001', 'guest: alice\'s session')
        g.wait('session-uid', 30, start=start)
        check(self.markers('session-uid', start)[0].field('uid') == '5001',
              'guest: the session runs as alice')
        env = [x.details for x in self.markers('session-env', start)]
        check(any(e.startswith('KRB5CCNAME=' + ccache_prefix.split('/tmp')[0]) for e in env),
              'guest: KRB5CCNAME in the session: %s' % env)
        # klist -f's last line (the TGT's flags) ends what the session printed
        g.wait('klist', 30, start=start, pred=lambda x: 'Flags:' in x.details)
        if ccache_prefix.startswith('FILE:'):
            g.wait('ccache-stat', 30, start=start)
        kl = [x.details for x in self.markers('klist', start)]
        check('Default principal: %s' % alice in kl, 'guest: klist in the session: alice\'s cache')
        check(any('krbtgt/%s@%s' % (REALM, REALM) in l for l in kl), 'guest: klist: the TGT')
        check(any(re.search(r'Flags: [A-Za-z]*f', l) for l in kl),
              'guest: klist: the TGT is a forwarded one (flag f)')
        print('  klist in alice\'s session (guest):')
        for l in kl:
            print('    ' + l)
        return kl

    def timeline(self):
        print('\ntimeline (host s since qemu started, guest CLOCK_BOOTTIME):')
        print('\n'.join(l for l in self.g.timeline().splitlines() if ' log ' not in l
                        and ' out ' not in l))

    def stop(self):
        for c in self.clients:
            c.stop()
        for f in reversed(self.root_files):
            if os.path.isdir(f):
                shutil.rmtree(f, ignore_errors=True)
            elif os.path.exists(f):
                os.unlink(f)
        self.g.stop()
        subprocess.run(['rm', '-rf', self.work])


def main(cases_dir):
    """Run the case named on the command line, CASES_DIR/<case>.py; the
    exit status."""
    case = load_case(cases_dir, sys.argv[1]) if len(sys.argv) == 2 else None
    if case is None:
        print('usage: test-vm-sso CASE (%s)' % ' '.join(case_names(cases_dir)), file=sys.stderr)
        return 2
    for var in ('REALM_DIR', 'REALM_KDC_PORT', 'HOST_KEYTAB', 'SPICE_KEYTAB', 'REALM'):
        if not os.environ.get(var):
            print('%s is not set: run this inside tests/with-realm' % var, file=sys.stderr)
            return 1
    t0 = time.monotonic()
    r = Run(**getattr(case, 'RUN', {}))
    try:
        case.run(r)
        failed = [m.line for m in r.g.markers if m.event.endswith('-failed')]
        check(not failed, 'no step failed in the guest' + (': ' + '; '.join(failed) if failed else ''))
        r.g.poweroff(timeout=30)
        check(r.g.exit_status == 0, 'the guest powers off, qemu exits 0')
        r.timeline()
    except (guestvm.GuestError, Failure) as e:
        failures.append(str(e))
        print('FAIL  %s' % e, flush=True)
        print('---- spice-server (qemu) ----\n' + r.g.qemu_log()[-4000:])
        for c in r.clients:
            print('---- client %s ----\n%s' % (c.name, c.out.text()))
    finally:
        r.stop()
    print('case %s: %.1f s' % (sys.argv[1], time.monotonic() - t0))
    if failures:
        print('%d check(s) failed' % len(failures))
        return 1
    return 0

