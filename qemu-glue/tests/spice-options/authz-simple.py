"""sasl-authz naming an authz-simple object: accepted."""


def run(q):
    q.accepted('sasl=on,sasl-authz=auth0',
               '-object', 'authz-simple,id=auth0,identity=alice@SPICE.TEST')
