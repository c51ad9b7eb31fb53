"""sasl-authz naming an authz-pam object: accepted."""


def run(q):
    q.accepted('sasl=on,sasl-authz=auth0',
               '-object', 'authz-pam,id=auth0,service=spice-sso-test')
