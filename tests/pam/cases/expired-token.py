"""The greeter answers after the token's lifetime: the token is unknown by
then, nothing fetched, refused."""


def run(p):
    p.client_tgt('alice')
    p.greeter('--answer-delay', '4')
    p.standin('alice', '--ttl', '2')
    p.wait('standin.out', r'^expired', 10)
    p.refused(None, 'refused: %s does not know this token' % p.socket)
    p.expect('standin.out', r'^fetch unknown', 'FETCH after expiry is unknown')
    p.absent('standin.out', r'^fetch ok', 'never fetched')
