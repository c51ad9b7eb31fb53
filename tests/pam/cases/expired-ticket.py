"""A TGT whose end time has passed: refused."""


def run(p):
    alice = p.principal('alice')
    p.client_tgt('alice')
    p.greeter()
    p.standin('alice', tamper='expired')
    p.refused(1, 'refused %s: ticket expired: ticket-granting ticket of %s has expired'
              % (alice, alice))
