"""After alice's login her client disconnects: vdagentd locks her session at
logind; her unlock dialog opens; a new client of hers unlocks it with a new
forwarded TGT (cache refreshed)."""

from vm_sso import REALM, check


def run(r):
    r.boot()
    start = len(r.g.markers)
    a1 = r.connect('alice')
    a1.wait_connected()
    r.login(a1, start)
    check(a1.disconnect() == 0, 'alice\'s client disconnects')
    lk = r.g.wait('session-locking', 60, start=start)
    check(lk.field('session') == '2' and lk.field('uid') == '5001',
          'guest: vdagentd locks alice\'s session (%s)' % lk.details)
    r.g.wait('logind-lock', 30, start=start)
    check(r.markers('logind-lock', start)[0].field('session') == '2',
          'guest: logind (stand-in) locked session 2')
    # alice's locked session shows its unlock dialog (which reports the
    # unlock to logind, as gnome-shell's shield does)
    rc, _ = r.g.run('SSO_GREETER_NAME=unlock SSO_GREETER_UNLOCK=alice SSO_GREETER_SESSION=2 '
                    'bash /etc/spice-sso/guest.d/63-sso-greeter.sh')
    check(rc == 0 and r.g.find('unlock-greeter-ready') is not None, 'the unlock dialog is up')
    mid = len(r.g.markers)
    a2 = r.connect('alice')
    a2.wait_connected()
    for ev in ('sso-received', 'unlock-greeter-signal', 'unlock-unlocked', 'ccache-refreshed'):
        r.g.wait(ev, 90, start=mid)
    check(r.markers('sso-received', mid)[0].field('principal') == 'alice@' + REALM,
          'guest: the reconnecting client\'s credential arrived')
    check(True, 'guest: the unlock dialog unlocked alice\'s session with it')
    cr = r.markers('ccache-refreshed', mid)[0]
    check(cr.field('user') == 'alice', 'guest: the module refreshed alice\'s cache (%s)' % cr.details)
    res = r.g.wait('unlock-greeter-result', 30, start=mid)
    check(res.details == 'ok', 'guest: the unlock conversation succeeded')
    check(a2.disconnect() == 0, 'alice\'s second client disconnects')
    lk2 = r.g.wait('session-locking', 60, start=mid)
    check(lk2.field('session') == '2', 'guest: the next disconnect locks again')
