"""sasl-authz naming an object that is not an authz: accepted with a
warning (as for no object)."""


def run(q):
    q.accepted('sasl=on,sasl-authz=sec0', '-object', 'secret,id=sec0,data=x',
               warning="spice: sasl-authz 'sec0' is not (yet) an authorization object")
