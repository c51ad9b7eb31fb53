"""bob, whom the authz-list object does not allow, cannot connect (the
client's SASL authentication fails), nothing reaches the guest; alice
(allowed) then connects and her credential reaches vdagentd."""

import time

from vm_sso import REALM, check


def run(r):
    r.boot()
    start = len(r.g.markers)
    n = r.server_count()
    b = r.connect('bob')
    check(b.auth_refused(60), 'bob\'s client: authentication error, no channel opened, exit 1')
    check(r.wait_server(r'link .*channel=main\b.*principal=bob@\S+ .*result=refused reason="not '
                        r'allowed by the authorization hook"', n) is not None,
          'qemu\'s spice-server: bob refused by the authz-list object (sasl-authz)')
    check(not r.server(r'capture |deliver ', n), 'nothing kept or sent')
    time.sleep(2)
    r.g._poll()
    check(not r.markers('sso-received', start) and not r.markers('greeter-signal', start),
          'guest: nothing arrived')
    a = r.connect('alice')
    a.wait_connected()
    r.g.wait('sso-received', 60, start=start)
    check(r.markers('sso-received', start)[0].field('principal') == 'alice@' + REALM,
          'alice, allowed, connects and her credential reaches vdagentd')
    a.disconnect()
