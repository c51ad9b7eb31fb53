"""sasl-authz and gss-delegate together: accepted."""


def run(q):
    q.accepted('sasl=on,gss-delegate=on,sasl-authz=auth0',
               '-object', 'authz-simple,id=auth0,identity=alice@SPICE.TEST')
