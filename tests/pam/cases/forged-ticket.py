"""A flipped bit in the ticket's ciphertext: the KDC cannot decrypt it,
the ticket does not verify against the guest's keytab."""
import os


def run(p):
    p.client_tgt('alice')
    p.greeter()
    p.standin('alice', tamper='ticket')
    alice = p.principal('alice')
    p.refused(1, 'refused %s: ticket verification failed: ticket of %s does not verify '
              'against FILE:%s' % (alice, alice, os.environ['HOST_KEYTAB']))
