"""sasl-authz naming an authz-list object: accepted."""


def run(q):
    q.accepted('sasl=on,sasl-authz=auth0', '-object',
               '{"qom-type":"authz-list","id":"auth0","policy":"deny","rules":'
               '[{"match":"alice@SPICE.TEST","policy":"allow"}]}')
