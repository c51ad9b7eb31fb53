"""The throwaway MIT realm a harness runs in: tests/with-realm (which starts
krb5kdc on loopback with tests/lib/realm.sh, shared with scripts/demo and
the VM tests) runs the harness and exports the realm in the environment
(REALM, REALM_DIR, SPICE_KEYTAB, HOST_KEYTAB, KRB5_CONFIG, ...).

    ssotest.realm.enter()            re-execute this program inside a new
                                     realm unless it already runs in one
    ssotest.realm.principal('alice') 'alice@SPICE.TEST'
    ssotest.realm.kinit('alice', path, '-f')   a TGT into FILE:path
"""
import os
import shutil
import subprocess
import sys

from .core import Failure, Skip

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))))
WITH_REALM = os.path.join(TOP, 'tests', 'with-realm')


def enter(prefix=()):
    """Unless REALM_DIR is set, re-execute sys.argv inside tests/with-realm
    (after the argv @prefix: a namespace wrapper, say)."""
    if os.environ.get('REALM_DIR'):
        return
    if not shutil.which('krb5kdc'):
        raise Skip('krb5kdc is not installed (scripts/setup installs it)')
    sys.stdout.flush()
    argv = list(prefix) + [WITH_REALM, sys.executable] + sys.argv
    os.execvp(argv[0], argv)


def name():
    return os.environ['REALM']


def principal(user):
    return '%s@%s' % (user, name())


def password_file():
    return os.path.join(os.environ['REALM_DIR'], 'password')


def kinit(user, ccache, *options, env=None, preexec_fn=None, argv_prefix=()):
    """A TGT of @user's (the realm's password) in the cache @ccache (a path
    for FILE, or a full cache name); kinit @options as given. The realm's
    krb5.conf sets forwardable = false: -f asks for a forwardable one.
    @argv_prefix runs kinit under a wrapper (setpriv as another user)."""
    cc = ccache if ':' in ccache else 'FILE:' + ccache
    e = dict(env if env is not None else os.environ, KRB5CCNAME=cc)
    with open(password_file()) as pw:
        r = subprocess.run(list(argv_prefix) + ['kinit'] + list(options) + [principal(user)],
                           stdin=pw, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True, env=e, preexec_fn=preexec_fn)
    if r.returncode != 0:
        raise Failure('kinit %s failed: %s' % (user, r.stderr.strip()))
    return ccache


def klist(*args, env=None):
    """klist's exit status and output (stdout and stderr)."""
    r = subprocess.run(['klist'] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, env=env)
    return r.returncode, r.stdout
