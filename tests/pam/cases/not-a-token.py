"""The owner of the name broadcasts something that is no token: refused."""


def run(p):
    p.client_tgt('alice')
    p.greeter()
    p.standin('alice', '--bogus-token')
    p.refused(None, 'refused: the answer to the token prompt is not a 32-digit single sign-on '
              'token')
