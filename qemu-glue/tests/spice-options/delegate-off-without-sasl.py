"""gss-delegate=off without SASL: accepted (nothing to refuse)."""


def run(q):
    q.accepted('disable-ticketing=on,gss-delegate=off')
