"""gss-delegate=on with sasl=off: refused."""


def run(q):
    q.refused("'gss-delegate' requires SASL authentication", 'sasl=off,gss-delegate=on')
