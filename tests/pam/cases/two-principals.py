"""A cache holding tickets of two client principals: refused."""


def run(p):
    p.client_tgt('alice')
    p.client_tgt('bob')
    p.greeter()
    p.standin('alice', '--extra-ccache', p.path('client/bob.ccache'))
    p.refused(4, 'refused %s: credential cache refused: .*more than one client principal'
              % p.principal('alice'))
