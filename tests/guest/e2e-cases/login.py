"""VD_AGENT_SSO -> ACCEPTED on VDP_SERVER_PORT -> UserAuthenticated(token)
from the name's owner -> the greeter answers the prompt -> the module
FETCHes over vdagentd's socket, verifies the TGT against the host keytab,
maps alice, REPORTs (STATUS OK) -> session opened with alice's 0600 cache
that klist reads, KRB5CCNAME set. Both sides run on their defaults:
socket /run/spice-vdagentd/sso.sock in upstream's 0755 directory. After
the login the token is dead, vdagentd's memory no longer holds the TGT's
session key, and no log holds a token or a key."""

import os
import stat

from e2e_harness import guest, login
from login_checks import TOKEN_RE, logout, no_secret_logged
from vdagentd_harness import ALICE_UID, check, scan_memory


def run(guests):
    g = guest(guests)
    g.start()
    st = os.lstat(g.sso_socket)
    check(stat.S_ISSOCK(st.st_mode) and st.st_uid == 0 and stat.S_IMODE(st.st_mode) == 0o600,
          'the redemption socket is root\'s, 0600, at the default path')
    dst = os.stat(os.path.dirname(g.sso_socket))
    check(dst.st_uid == 0 and stat.S_IMODE(dst.st_mode) == 0o755,
          'in /run/spice-vdagentd as upstream\'s tmpfiles.d makes it (root, 0755)')
    greeter, key = login(g)
    token = g.listener.tokens[0][1]
    check(TOKEN_RE.fullmatch(token), 'the signal carried a token')
    check(g.redeem('fetch', token) == 'STATUS UNKNOWN_TOKEN', 'the token is used up')
    check(g.redeem('report', token, 0, ALICE_UID) == 'STATUS UNKNOWN_TOKEN',
          'and cannot report again')
    check(not scan_memory(g.vdagentd.pid, key),
          'vdagentd\'s memory no longer holds the TGT\'s session key')
    logout(g, greeter)
    no_secret_logged(g, [token], [key])
