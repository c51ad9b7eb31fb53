"""sasl=on,gss-delegate=on: accepted."""


def run(q):
    q.accepted('sasl=on,gss-delegate=on')
