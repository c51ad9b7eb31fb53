"""sasl-authz naming no object: not an error at startup. As for VNC the
object is looked up at each connection (it may be created later with
object-add); until it exists every SASL client is refused, and qemu warns
so."""


def run(q):
    q.accepted('sasl=on,sasl-authz=nosuch',
               warning="spice: sasl-authz 'nosuch' is not (yet) an authorization object: "
               'SASL clients are refused until it is')
