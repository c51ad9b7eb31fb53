"""sasl-authz without SASL: refused."""


def run(q):
    q.refused("'sasl-authz' provided but SASL authentication is not enabled",
              'disable-ticketing=on,sasl-authz=auth0',
              '-object', 'authz-simple,id=auth0,identity=alice@SPICE.TEST')
