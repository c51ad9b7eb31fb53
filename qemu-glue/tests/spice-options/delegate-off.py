"""sasl=on,gss-delegate=off: accepted."""


def run(q):
    q.accepted('sasl=on,gss-delegate=off')
