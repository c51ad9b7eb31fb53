"""At the greeter, an accepted VD_AGENT_SSO makes vdagentd, the name's
owner, emit UserAuthenticated(token) with a 32-hex-digit token, repeated
with backoff until the credential is fetched, then no more."""

import time

from vdagentd_harness import FLAG_LOGIN, FLAG_REFRESH, PRINCIPAL, TOKEN_RE, check, creds, guest


def run(guests):
    g = guest(guests)
    g.start()
    cred, _ = creds(g)
    g.send_sso(PRINCIPAL('alice'), cred, serial=31, flags=FLAG_LOGIN | FLAG_REFRESH)
    g.expect_reply(31, 'ACCEPTED')
    token = g.listener.wait(1)
    check(TOKEN_RE.fullmatch(token), 'the token is 32 lower-case hex digits')
    check(g.listener.wait(2, timeout=4) == token, 'the signal is repeated with the same token')
    t = [x[0] for x in g.listener.tokens]
    # g_timeout_add_seconds(1) fires between 0.75 and 2 s later (GLib moves
    # second timers onto a per-process mark within the second)
    check(t[1] - t[0] >= 0.7, 'the repetition waits (%.2f s)' % (t[1] - t[0]))
    out = g.redeem('fetch', token)
    check(out.startswith('CRED principal=%s cred_len=%d serial=31' % (PRINCIPAL('alice'), len(cred))),
          'FETCH returns the credential (%s)' % out)
    n = g.listener.count()
    time.sleep(4.5)
    check(g.listener.count() == n, 'no more signals after the fetch')
