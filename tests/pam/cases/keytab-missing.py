"""The guest has no keytab at all: the ticket does not verify, refused."""


def run(p):
    keytab = p.path('guest/no-such.keytab')
    p.guest_krb5_conf('FILE:%s/krb5cc_%%{uid}' % p.tmp, keytab=keytab)
    p.client_tgt('alice')
    p.greeter()
    p.standin('alice')
    alice = p.principal('alice')
    p.refused(1, 'refused %s: ticket verification failed: ticket of %s does not verify '
              'against FILE:%s' % (alice, alice, keytab))
