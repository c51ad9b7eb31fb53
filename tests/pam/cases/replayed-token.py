"""The same token a second time (a replayed broadcast): it is redeemed
(FETCH) once only; the first conversation succeeds, the replay fails."""
from ssotest.core import check


def run(p):
    p.client_tgt('alice')
    p.greeter('--conversations', '2', '--', p.probe)
    p.standin('alice', '--emit-after-fetch', '1')
    p.wait('greeter.out', r'^result .*', 60)
    p.wait('greeter.out', r'^result (ok|failed).*', 60)
    p.wait('standin.out', r'^fetch unknown', 30)
    p.greeter_done()
    results = [l[len('result '):] for l in p.find('greeter.out', r'^result ')]
    check(results == ['ok', 'failed authenticate'],
          'the first conversation succeeds, the replay fails (%s)' % results)
    check(p.count('standin.out', r'^fetch ok') == 1, 'fetched once')
    p.expect('syslog', r'refused: %s does not know this token \(never issued, already used, '
             r'or expired\)' % p.socket, 'replay logged')
    p.no_cache_left()
