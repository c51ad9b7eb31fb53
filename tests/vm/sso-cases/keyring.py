"""default_ccache_name = KEYRING:persistent:%{uid} in the guest: the login
through vdagentd stores the forwarded TGT in alice's persistent keyring,
her session's klist reads it, logout destroys it."""

from vm_sso import REALM, check

# how the guest boots (keywords of vm_sso.Run)
RUN = {'ccache': 'KEYRING:persistent:%{uid}'}


def run(r):
    r.boot()
    check(r.g.find('krb5-ccache') is not None and
          r.g.find('krb5-ccache').details == 'default_ccache_name=KEYRING:persistent:%{uid}',
          'guest: default_ccache_name = KEYRING:persistent:%{uid}')
    start = len(r.g.markers)
    c = r.connect('alice')
    c.wait_connected()
    r.login(c, start, ccache_prefix='KEYRING:persistent:5001')
    rc, out = r.g.run("su -s /bin/bash alice -c 'klist -l'")
    check(rc == 0 and any('alice@' + REALM in l and 'KEYRING:persistent:5001' in l for l in out),
          'guest: klist -l as alice lists her persistent keyring cache (%s)' % out)
    r.g.run('echo close >/run/spice-sso/greeter.in')
    r.g.wait('ccache-destroyed', 30, start=start)
    check(r.g.wait('session-closed', 30, start=start) is not None,
          'guest: alice logs out; the module destroyed her KEYRING cache')
    c.disconnect()
