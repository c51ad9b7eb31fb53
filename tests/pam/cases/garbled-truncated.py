"""A truncated credential cache: not a valid cache, refused."""


def run(p):
    alice = p.principal('alice')
    p.client_tgt('alice')
    p.greeter()
    p.standin('alice', tamper='truncate')
    p.refused(4, 'refused %s: credential cache refused: credential of %s is not a valid cache'
              % (alice, alice))
