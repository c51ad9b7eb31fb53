"""The server authenticated bob, the cache is alice's: refused."""


def run(p):
    bob = p.principal('bob')
    p.client_tgt('alice')
    p.greeter()
    p.standin('alice', '--principal', bob)
    p.refused(4, 'refused %s: credential cache refused: credential of %s is for another '
              'principal' % (bob, bob))
