"""The SPICE side of the server-integration world, for harnesses that run
the patched spice-server (tests/host/spice-test-host) with the agent
stand-in and test clients in a throwaway realm (ssotest.realm):
tests/server/run-case, and the docs and qemu-glue tests that need a host.

The host runs under tests/lib/spice-host-ns (host name spice-host, an
/etc/hosts mapping 127.0.0.1 to spice-host.spice.test): Cyrus SASL then
names the acceptor spice/spice-host.spice.test (what $SPICE_KEYTAB holds),
whatever this machine is called. Clients use that name and connect to
127.0.0.1.

Programs (meson passes their paths in the environment): SPICE_TEST_HOST
SSO_TEST_CLIENT AGENT_STANDIN SSO_TOKEN_KEY SCAN_MEMORY SPICE_SSO_CONNECT.
Each is started in one method of Server.

Every program writes its event lines into a file of the world's directory
(host.out, host.err, agent-NAME.out, client-NAME.out, gtk-NAME.out/.err);
the caller waits for and asserts on them (Server is a core.Logs).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

from . import realm
from .core import Logs, Procs, Skip, check

TOP = realm.TOP
NS = os.path.join(TOP, 'tests', 'lib', 'spice-host-ns')
FQDN = os.environ.get('REALM_SPICE_HOST', 'spice-host.spice.test')


class Server(Logs):
    """One test's world: its directory (self.dir, 0700), the realm, the
    host, agents and clients. close() stops them and removes the
    directory."""

    def __init__(self, name='server'):
        for v in ('SPICE_TEST_HOST', 'SSO_TEST_CLIENT', 'AGENT_STANDIN'):
            if not os.access(os.environ.get(v, ''), os.X_OK):
                raise Skip('%s is not set to a built program' % v)
        if not shutil.which('unshare'):
            raise Skip('unshare (util-linux) is not installed')
        if subprocess.run(['unshare', '--uts', '--mount', 'true'],
                          stderr=subprocess.DEVNULL).returncode != 0:
            raise Skip('cannot create UTS and mount namespaces here '
                       '(unshare needs root or CAP_SYS_ADMIN)')
        super().__init__(tempfile.mkdtemp(prefix='spice-sso-server-test.', dir='/tmp'))
        os.chmod(self.dir, 0o700)
        self.name = name
        self.procs = Procs()
        self.realm = realm.name()
        self.host = self.agent = self.client = self.gtk = None
        self.port = self.tls_port = None
        self.tls_host_opts = None
        self.sasl = self.path('sasl')
        self.rec = self.path('rec')
        os.mkdir(self.sasl)
        os.mkdir(self.rec, 0o700)
        # the mechanisms spice-gtk ends up with against Kerberos
        self.write_sasl_conf('mech_list: GSSAPI GSS-SPNEGO\n')
        os.umask(0o077)
        self.env = dict(os.environ)

    def principal(self, user):
        return realm.principal(user)

    def close(self, failed):
        self.procs.stop_all()
        if failed:
            for f in sorted(os.listdir(self.dir)):
                if f.endswith(('.out', '.err')):
                    print('-----', f)
                    print('\n'.join(self.lines(f)[-40:]))
        shutil.rmtree(self.dir, ignore_errors=True)

    def write_sasl_conf(self, text):
        with open(os.path.join(self.sasl, 'spice-test.conf'), 'w') as f:
            f.write(text)

    # ---- the actors

    def start_host(self, *options, program=None, env=None, argv_prefix=(), agent_socket=True):
        """spice-test-host as spice-host.spice.test; sets port, tls_port.
        Its environment: the case's, KRB5_KTNAME=$SPICE_KEYTAB and
        SASL_CONF_PATH=sasl/, then @env (a None value unsets); @argv_prefix
        runs it under a wrapper (setpriv as another user)."""
        for f in ('host.out', 'host.err'):
            if os.path.exists(self.path(f)):
                os.unlink(self.path(f))
        e = dict(self.env, KRB5_KTNAME=os.environ['SPICE_KEYTAB'], SASL_CONF_PATH=self.sasl)
        for k, v in (env or {}).items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = v
        self.host = self.procs.start(
            [NS, 'server'] + list(argv_prefix) + [program or os.environ['SPICE_TEST_HOST']] +
            (['--agent-socket', self.path('agent.sock')] if agent_socket else []) +
            list(options),
            out=self.path('host.out'), err=self.path('host.err'), env=e)
        self.wait('host.out', r'^ready ', 10, proc=self.host)
        m = self.first('host.out', r'^listening .* port=(\d+) ')
        self.port = m.group(1) if m else None
        m = self.first('host.out', r'^listening .* tls-port=(\d+)$')
        self.tls_port = m.group(1) if m else None

    def run_host_alone(self, program, *options):
        """@program (a spice-test-host) run directly, to its end: -> its
        exit status; output in alone.out."""
        return self.procs.run([program] + list(options), out=self.path('alone.out'),
                              err=Procs.STDOUT, env=self.env)

    def host_alive(self):
        check(self.host.poll() is None, 'spice-test-host is still running')

    def start_agent(self, name, *options):
        """The agent stand-in on the host's agent socket, recording what it
        receives in self.rec; waits for its capabilities."""
        self.agent = self.procs.start(
            [os.environ['AGENT_STANDIN'], '--socket', self.path('agent.sock'),
             '--record', self.rec] + list(options),
            out=self.path('agent-%s.out' % name), err=Procs.STDOUT, env=self.env)
        self.wait('agent-%s.out' % name, r'^caps-sent ', proc=self.agent)
        return self.agent

    def _client_argv(self, options):
        return [os.environ['SSO_TEST_CLIENT'], '--addr', '127.0.0.1', '--sasl-host', FQDN] + \
            [str(o) for o in options]

    def start_client(self, name, *options):
        """sso-test-client in the background."""
        self.client = self.procs.start(self._client_argv(options),
                                       out=self.path('client-%s.out' % name),
                                       err=Procs.STDOUT, env=self.env)
        return self.client

    def run_client(self, name, *options):
        """sso-test-client in the foreground: -> its exit status."""
        return self.procs.run(self._client_argv(options), out=self.path('client-%s.out' % name),
                              err=Procs.STDOUT, env=self.env)

    def start_gtk(self, name, *options, libdir=None):
        """spice-sso-connect (spice-client-glib; Debian's with @libdir) to
        the host by name, resolved to 127.0.0.1 by spice-host-ns client:
        spice-gtk asks for a ticket to spice/<the host it connects to>."""
        prog = os.environ.get('SPICE_SSO_CONNECT', '')
        if not os.access(prog, os.X_OK):
            raise Skip('SPICE_SSO_CONNECT is not set to a built program')
        env = dict(self.env)
        if libdir:
            env['LD_LIBRARY_PATH'] = libdir
        self.gtk = self.procs.start(
            [NS, 'client', prog, '--host', FQDN, '--ignore-stdin', '--timeout', '30'] +
            list(options),
            out=self.path('gtk-%s.out' % name), err=self.path('gtk-%s.err' % name), env=env)
        return self.gtk

    def stop(self, p):
        self.procs.stop(p)

    def user_tgt(self, user, *kinit_options):
        """A TGT of @user's in the case's directory, the clients' cache
        from now on (KRB5CCNAME)."""
        cc = self.path('ccache-' + user)
        realm.kinit(user, cc, *kinit_options, env=self.env)
        self.env['KRB5CCNAME'] = 'FILE:' + cc

    def use_tgt(self, user):
        """The clients' cache from now on: @user's TGT of user_tgt()."""
        self.env['KRB5CCNAME'] = 'FILE:' + self.path('ccache-' + user)

    def make_certs(self):
        """A CA and a certificate for the host's name in tls/; sets
        tls_host_opts."""
        d = self.path('tls')
        os.mkdir(d)

        def openssl(*args):
            r = subprocess.run(['openssl'] + list(args), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, cwd=d)
            check(r.returncode == 0, 'openssl %s %s' % (args[0], r.stderr.strip()))
        openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '1',
                '-subj', '/CN=spice-sso test CA', '-keyout', 'ca-key.pem', '-out', 'ca-cert.pem')
        openssl('req', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-subj', '/CN=' + FQDN,
                '-keyout', 'server-key.pem', '-out', 'server.csr')
        with open(os.path.join(d, 'ext'), 'w') as f:
            f.write('subjectAltName=DNS:%s\n' % FQDN)
        openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca-cert.pem', '-CAkey',
                'ca-key.pem', '-CAcreateserial', '-days', '1', '-sha256', '-extfile', 'ext',
                '-out', 'server-cert.pem')
        self.ca = os.path.join(d, 'ca-cert.pem')
        self.tls_host_opts = ['--tls-port', '0', '--cert', os.path.join(d, 'server-cert.pem'),
                              '--key', os.path.join(d, 'server-key.pem'), '--ca', self.ca]

    # ---- what was delivered, and what is left in memory

    def check_recorded_tgt(self, path, principal):
        """The recorded credential is the user's forwarded TGT: klist
        reads it; the file is 0600."""
        rc, out = realm.klist('-f', '-c', 'FILE:' + path)
        check(rc == 0, 'klist reads %s%s' % (os.path.basename(path), '' if rc == 0 else ': ' + out))
        check('\nDefault principal: %s\n' % principal in '\n' + out, 'recorded for ' + principal)
        check('krbtgt/%s@%s' % (self.realm, self.realm) in out, 'the recorded credential is a TGT')
        check(re.search(r'Flags: [A-Za-z]*f', out), 'the recorded TGT was forwarded')
        check(os.stat(path).st_mode & 0o777 == 0o600, '%s is 0600' % os.path.basename(path))

    def _write_key(self, hexkey):
        with open(self.path('key'), 'w') as f:
            f.write(hexkey + '\n')

    def forwarded_key(self):
        """The session key of the TGT forwarded in the client's token
        (token, written by --dump-token) into key (0600): what must not stay
        in the server's memory."""
        tool = os.environ.get('SSO_TOKEN_KEY', '')
        if not os.access(tool, os.X_OK):
            raise Skip('SSO_TOKEN_KEY is not set')
        r = subprocess.run([tool, self.path('token')], stdout=subprocess.PIPE, text=True,
                           env=dict(self.env, KRB5_KTNAME=os.environ['SPICE_KEYTAB']))
        check(r.returncode == 0 and r.stdout.strip(), 'a session key in the forwarded token')
        self._write_key(r.stdout.strip())
        os.unlink(self.path('token'))
        return r.stdout.strip()

    def recorded_key(self, path):
        """The session key of the TGT in a recorded credential: ccache-key
        on the sso-N.creds recorded beside the sso-N.ccache @path."""
        creds = path[:-len('.ccache')] + '.creds' if path.endswith('.ccache') else path
        r = subprocess.run([os.environ['CCACHE_KEY'], creds], stdout=subprocess.PIPE,
                           text=True)
        check(r.returncode == 0 and r.stdout.strip(),
              'a session key in %s' % os.path.basename(path))
        self._write_key(r.stdout.strip())
        return r.stdout.strip()

    def key_in_server_memory(self, expect, label):
        """scan-memory over the host's whole memory for key: found|absent."""
        r = subprocess.run([sys.executable, os.environ['SCAN_MEMORY'], str(self.host.pid),
                            self.path('key'), '--expect', expect],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        print(r.stdout.strip())
        check(r.returncode == 0, 'server memory, %s: the TGT session key %s' % (label, expect))
