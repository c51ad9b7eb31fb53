"""Random bytes for a credential cache: refused."""


def run(p):
    p.client_tgt('alice')
    p.greeter()
    p.standin('alice', tamper='garbage')
    p.refused(4, 'refused %s: credential cache refused' % p.principal('alice'))
