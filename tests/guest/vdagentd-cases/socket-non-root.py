"""The redemption socket is root's, mode 0600; a non-root process cannot
connect, and one that gets past the file mode (CAP_DAC_OVERRIDE) is
refused by the SO_PEERCRED check; root still redeems afterwards."""

import os
import stat

from vdagentd_harness import PRINCIPAL, accepted_token, check, guest


def run(guests):
    g = guest(guests)
    g.start()
    token, _ = accepted_token(g)
    st = os.lstat(g.sso_socket)
    check(stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600 and st.st_uid == 0,
          'the socket is root\'s, mode 0600 (%o)' % stat.S_IMODE(st.st_mode))
    out = g.redeem('fetch', token, uid=65534)
    check(out.startswith('connect-error'), 'uid 65534 cannot connect (%s)' % out)
    out = g.redeem('fetch', token, uid=65534, keep_caps=True)
    check(out == 'closed', 'uid 65534 with CAP_DAC_OVERRIDE is disconnected unserved (%s)' % out)
    g.wait_log(r'redemption socket: refused peer pid \d+ uid 65534: only root may redeem')
    out = g.redeem('fetch', token)
    check(out.startswith('CRED principal=' + PRINCIPAL('alice')), 'root fetches it (%s)' % out)
