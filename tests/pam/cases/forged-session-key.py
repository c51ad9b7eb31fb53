"""A session key that is not the ticket's: verification fails."""


def run(p):
    p.client_tgt('alice')
    p.greeter()
    p.standin('alice', tamper='session-key')
    p.refused(1, 'refused %s: ticket verification failed' % p.principal('alice'))
