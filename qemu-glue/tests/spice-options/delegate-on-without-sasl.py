"""gss-delegate=on without SASL: refused, naming the fix."""


def run(q):
    q.refused("'gss-delegate' requires SASL authentication, enable it with 'sasl=on'",
              'disable-ticketing=on,gss-delegate=on')
