"""Checks of a single sign-on login made through the real spice-vdagentd,
the real pam_vdagent_sso and the greeter emulator (vdagentd_harness.Guest
with pam_module), shared by tests/guest/e2e-cases (VD_AGENT_SSO written by
the test) and tests/chain (VD_AGENT_SSO from spice-server, the TGT from a
spice-gtk client)."""
import os
import re
import stat
import subprocess

from vdagentd_harness import ALICE_UID, PRINCIPAL, SSO_TOOL, TOKEN_RE, check  # noqa: F401

REALM = os.environ.get('REALM', '')


def cache_key(path):
    """The session key of the TGT in a FILE cache (hex), as root."""
    return subprocess.run([SSO_TOOL, 'session-key', path], capture_output=True,
                          text=True).stdout.strip()


def cache_path(g, uid=ALICE_UID):
    return os.path.join(g.cache_dir, 'krb5cc_%d' % uid)


def left_in_cache_dir(g):
    return sorted(os.listdir(g.cache_dir))


def no_secret_logged(g, tokens, keys):
    """Neither a token nor a session key in vdagentd's output, the syslog
    or any greeter's output."""
    text = g.logs() + ''.join(gr.text() for gr in g.greeters)
    for t in tokens:
        check(t not in text, 'the token appears in no log')
    for k in keys:
        check(k.hex() not in text, 'the session key appears in no log')


def assert_login(g, greeter, key):
    """The greeter's PAM conversation logged alice in with her delegated
    TGT in a FILE cache of hers (what run-case's expect_login checks of the
    module alone, here behind the real daemon). @key: the session key of
    the TGT that was delegated, if the caller knows it (a spice-gtk client
    gets its forwarded TGT from the KDC: nobody else sees it)."""
    greeter.wait(r'^holding|^result ', 60)
    cache = cache_path(g)
    check(greeter.find(r'^signal UserAuthenticated$'), 'the greeter heard the owner\'s signal')
    check(len(greeter.find(r'^prompt echo-off answered$')) == 1,
          'exactly one echo-off prompt, answered with the token')
    check(not greeter.find(r'^prompt echo-on|^info |^error '), 'no other message')
    check(greeter.find(r'^pam authenticate 0 '), 'pam_authenticate succeeded')
    check(greeter.find(r'^user alice uid=5001$'), 'PAM_USER is alice')
    check(greeter.find(r'^pam open_session 0 '), 'pam_open_session succeeded')
    check(greeter.find(r'^env KRB5CCNAME=FILE:%s$' % re.escape(cache)),
          'KRB5CCNAME is set in the session\'s environment')
    check(greeter.find(r'^probe id uid=5001 gid=5001$'), 'the session runs as alice')
    check(greeter.find(r'^probe klist-exit 0$'), 'klist reads the cache as alice')
    check(greeter.find(r'^probe klist: Default principal: %s$' % re.escape(PRINCIPAL('alice'))),
          'klist: alice\'s cache')
    check(greeter.find(r'^probe klist: .*krbtgt/%s@%s' % (REALM, REALM)), 'klist: the TGT')
    check(greeter.find(r'^probe klist: .*Flags: .*F'), 'klist: the delegated TGT is forwardable')
    check(greeter.find(r'^probe stat uid=5001 mode=600 type=regular (empty )?file$'),
          'the cache is alice\'s, mode 0600')
    st = os.lstat(cache)
    check(stat.S_ISREG(st.st_mode) and st.st_uid == ALICE_UID and stat.S_IMODE(st.st_mode) == 0o600,
          '%s: alice\'s regular file, 0600' % cache)
    if key is not None:
        check(cache_key(cache) == key.hex(), 'the cache holds the TGT the client delegated')
    g.wait_log(r'sso: the PAM module fetched the credential of alice@\S+ \(login\)')
    g.wait_log(r'sso: login of alice@\S+ as uid 5001 succeeded')
    g.wait_log(r'sso: dropped the redeemed credential of alice@\S+ \(login\): reported')
    g.syslog.wait(r'pam_vdagent_sso\(gdm-ovirtcred:auth\): authenticated %s as local user alice '
                  r'\(uid 5001\)' % re.escape(PRINCIPAL('alice')))
    g.syslog.wait(r'pam_vdagent_sso\(gdm-ovirtcred:session\): stored the credentials of %s for '
                  r'user alice \(uid 5001\) in FILE:%s' % (re.escape(PRINCIPAL('alice')),
                                                          re.escape(cache)))


def logout(g, greeter):
    """The user logs out: the module destroys the cache it created."""
    cache = cache_path(g)
    greeter.close()
    greeter.wait(r'^result ', 30)
    check(greeter.find(r'^pam close_session 0 ') and greeter.find(r'^result ok$'),
          'the session closed')
    check(greeter.finish() == 0, 'the greeter emulator exits 0')
    check(not os.path.exists(cache), 'the cache is gone after the session closed')
    g.syslog.wait(r'destroyed credential cache FILE:%s of user alice \(session closed\)'
                  % re.escape(cache))
