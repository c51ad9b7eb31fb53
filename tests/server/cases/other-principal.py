"""A second channel of alice's session authenticated as bob: refused,
with the reason logged; alice's own second channel links."""
from ssotest.core import check


def run(s):
    alice, bob = s.principal('alice'), s.principal('bob')
    s.start_host('--gss-delegate', '--authz-allow', alice, '--authz-allow', bob)
    s.start_agent('a')
    s.user_tgt('alice', '-f')
    s.start_client('c', '--port', s.port, '--delegate', '--agent', '--hold', 60)
    conn = s.main_connection('c')
    s.user_tgt('bob', '-f')
    check(s.run_client('i', '--port', s.port, '--channel', 'inputs',
                       '--connection-id', conn) != 0, 'bob does not join alice\'s session')
    s.expect('client-i.out', r'^auth-refused', 'a clean refusal')
    s.wait('host.err', rf'sso: link .*channel=inputs principal={bob} .*result=refused '
           rf'reason="principal differs from the main channel\'s \({alice}\)"')
    # alice may
    s.use_tgt('alice')
    s.start_client('i2', '--port', s.port, '--channel', 'inputs', '--connection-id', conn,
                   '--hold', 30)
    s.wait('client-i2.out', r'^linked channel=3 ')
    s.host_alive()
