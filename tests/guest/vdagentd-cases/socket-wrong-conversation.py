"""Only seat0's greeter conversation redeems a login's token: a FETCH
from a root process that is not GDM's login conversation (outside
gdm.service, or inside a logind session such as the greeter's own), or
one that presets a user (an unlock dialog), gets WRONG_CONVERSATION
with a log line, and the token stays valid for GDM's login
conversation."""

from vdagentd_harness import BOB_UID, GREETER_UID, PRINCIPAL, accepted_token, check, guest


def run(guests):
    g = guest(guests)
    g.start()
    token, _ = accepted_token(g)
    out = g.redeem('fetch', token, cgroup=None)
    check(out == 'STATUS WRONG_CONVERSATION', 'a root process outside GDM is refused (%s)' % out)
    g.wait_log(r'sso: redemption: refused the FETCH of pid \d+ for the login of alice@\S+: it runs'
               r' in unit \(none\), not in gdm.service; the token stays valid for seat0\'s greeter')
    out = g.redeem('fetch', token, cgroup=g.cgroups.path('ssh.service'))
    check(out == 'STATUS WRONG_CONVERSATION', 'a root process of another unit is refused (%s)' % out)
    out = g.redeem('fetch', token, cgroup=g.cgroups.session('c1', GREETER_UID))
    check(out == 'STATUS WRONG_CONVERSATION', 'a process in the greeter\'s session is refused (%s)'
          % out)
    g.wait_log(r'refused the FETCH of pid \d+ for the login of alice@\S+: it runs in logind'
               r' session c1, not in GDM\'s login conversation')
    out = g.redeem('fetch', token, BOB_UID)
    check(out == 'STATUS WRONG_CONVERSATION', 'a conversation that presets bob is refused (%s)' % out)
    g.wait_log(r'refused the FETCH of pid \d+ for the login of alice@\S+: it presets uid 5002,'
               r' and a login greeter presets nobody')
    out = g.redeem('fetch', token)
    check(out.startswith('CRED principal=' + PRINCIPAL('alice')),
          'the token still works for GDM\'s login conversation (%s)' % out)
