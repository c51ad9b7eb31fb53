"""A truncated credential: its record does not unmarshal, refused."""


def run(p):
    alice = p.principal('alice')
    p.client_tgt('alice')
    p.greeter()
    p.standin('alice', tamper='truncate')
    p.refused(4, 'refused %s: credential cache refused: credential 0 of %s does not unmarshal'
              % (alice, alice))
