"""Each refusal has its reply code on VDP_SERVER_PORT."""

import re
import time

from vdagentd_harness import (
    BOB_UID, FLAG_REFRESH, GREETER_UID, PRINCIPAL, check, creds, guest, wait_for)


def run(guests):
    g = guest(guests)
    g.start()
    alice, _ = creds(g)
    g.send_sso(PRINCIPAL('alice'), alice, serial=21, cred_type=1)
    g.expect_reply(21, 'UNSUPPORTED_CRED')
    g.send_sso(PRINCIPAL('bob'), alice, serial=22)
    g.expect_reply(22, 'PRINCIPAL_MISMATCH')
    g.send_sso(PRINCIPAL('alice'), b'\x05\x04' + b'garbage' * 10, serial=23)
    g.expect_reply(23, 'MALFORMED')
    short, _ = creds(g, lifetime='5s')
    time.sleep(6)
    g.send_sso(PRINCIPAL('alice'), short, serial=24)
    g.expect_reply(24, 'MALFORMED')
    # vdagentd names the helper's unit; the helper (sso_krb5_creds_load) says why
    g.wait_log(r'refused the credential of alice@\S+ \(the log of spice-vdagentd-sso@\d+\.service')
    wait_for(lambda: re.search(r'refused the credential of alice@\S+: ticket-granting ticket of '
                               r'alice@\S+ has expired', g.helper_log()), 5,
             'the helper\'s log line: the TGT has expired')
    # bob's session holds the seat: alice is refused
    g.add_user_session('5', BOB_UID, 'bob')
    g.send_sso(PRINCIPAL('alice'), alice, serial=25)
    g.expect_reply(25, 'SEAT_BUSY')
    g.wait_log(r'refusing alice@\S+: the seat holds 1 session\(s\) of other users')
    # asked only to refresh, alice has nothing to refresh
    g.set_seat([('c1', GREETER_UID, 'Debian-gdm', 'greeter')], 'c1')
    g.send_sso(PRINCIPAL('alice'), alice, serial=26, flags=FLAG_REFRESH)
    g.expect_reply(26, 'SEAT_BUSY')
    g.send_sso(PRINCIPAL('alice'), alice, serial=27)
    g.expect_reply(27, 'ACCEPTED')
    check(g.listener.count() >= 1, 'only the accepted one was signalled')
