"""Tokens that differ from the pending one in the first or the last byte
are refused (the comparison is vdsso_ct_equal, constant-time by
construction: it runs over all 16 bytes whatever differs; timing is not
asserted by a test) and do not consume the pending one."""

from vdagentd_harness import accepted_token, check, guest


def run(guests):
    g = guest(guests)
    g.start()
    token, _ = accepted_token(g)
    first = '%02x' % (int(token[:2], 16) ^ 1) + token[2:]
    last = token[:30] + '%02x' % (int(token[30:], 16) ^ 0x80)
    check(g.redeem('fetch', first) == 'STATUS UNKNOWN_TOKEN', 'first byte differs: refused')
    check(g.redeem('fetch', last) == 'STATUS UNKNOWN_TOKEN', 'last byte differs: refused')
    check(g.redeem('fetch', '0' * 32) == 'STATUS UNKNOWN_TOKEN', 'zero token: refused')
    check(g.redeem('fetch', token).startswith('CRED '), 'the right token still works')
